"""The portal's URLs plus one page that fails, to see the production 500 page."""

from django.urls import path

from composition import urls as portal_urls
from composition.urls import handler403, handler404, handler500  # noqa: F401  (Django reads them here)


def crash(request):
    raise RuntimeError("a bug")


urlpatterns = [path("crash/", crash), *portal_urls.urlpatterns]
