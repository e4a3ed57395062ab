from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission

from portal.access import Action, can, can_add_somewhere, principal_for

if TYPE_CHECKING:  # rest_framework.views imports this module through its settings
    from rest_framework.request import Request
    from rest_framework.views import APIView


class RestrictedObjectPermission(BasePermission):
    """The API side of the permission layer.

    Viewsets restrict their queryset to what the user may see, so anything else is 404 before
    this class is asked. For an object the user can see, a change or delete the policy does
    not allow is 403; a create is refused up front when the user may add nowhere, and
    re-checked on the saved object (``RestrictedModelViewSet.perform_create``).
    """

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        if not principal_for(request.user).is_authenticated:
            return False
        if request.method == "POST" and getattr(view, "action", None) == "create":
            return can_add_somewhere(request.user, view.get_queryset().model)
        return True

    def has_object_permission(self, request: "Request", view: "APIView", obj) -> bool:
        action = Action.for_http_method(request.method)
        if action == Action.VIEW:
            return True
        if action == Action.ADD:  # a POST to an existing object (an action) changes it
            action = Action.CHANGE
        return can(request.user, action, obj)
