/*
 * htmx leaves error responses unswapped, so a form saved in place would show nothing when
 * the server refuses it. This shows every answer:
 *
 * - A 400/403/409/412/503 that is a fragment (the form again, with its field errors or the
 *   edit conflict) is swapped into the target like a success.
 * - A full error page (403 "Access denied", 503 "Temporarily unavailable", a proxy's page)
 *   is not swapped; its heading and lead text are shown as an alert in the form instead.
 * - Any other error status, or no answer at all, shows the message in the body's
 *   data-htmx-error / data-htmx-offline attribute (translated by the server).
 *
 * Loaded as a static file: the Content-Security-Policy forbids inline scripts.
 */
(function () {
  "use strict";

  var SWAPPED = [400, 403, 409, 412, 503];
  var ALERT_CLASS = "htmx-response-alert";

  function isFullPage(text) {
    return /^\s*(<!doctype|<html)/i.test(text || "");
  }

  function textOf(node) {
    return node ? node.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function pageMessage(text) {
    var doc = new DOMParser().parseFromString(text, "text/html");
    var main = doc.querySelector("main") || doc.body;
    if (!main) {
      return "";
    }
    var parts = [textOf(main.querySelector("h1")), textOf(main.querySelector(".font-lead, p"))];
    return parts.filter(Boolean).join(" ");
  }

  function fallback(name) {
    return document.body.getAttribute(name) || "";
  }

  function placeFor(elt) {
    var form = elt && elt.closest ? elt.closest("form") : null;
    return form || elt || document.querySelector("main");
  }

  function source(detail) {
    return (detail.requestConfig && detail.requestConfig.elt) || detail.elt;
  }

  // A form holds its alert; any other element (a polled status) has it just after itself.
  function existingAlert(place) {
    if (place.tagName === "FORM") {
      return place.querySelector("." + ALERT_CLASS);
    }
    var next = place.nextElementSibling;
    return next && next.classList.contains(ALERT_CLASS) ? next : null;
  }

  function showAlert(elt, message) {
    var place = placeFor(elt);
    if (!place || !message) {
      return;
    }
    var alert = existingAlert(place);
    if (!alert) {
      alert = document.createElement("div");
      alert.className = "alert alert-error " + ALERT_CLASS;
      alert.setAttribute("role", "alert");
      var body = document.createElement("div");
      body.className = "alert-body";
      var paragraph = document.createElement("p");
      paragraph.className = "alert-text";
      body.appendChild(paragraph);
      alert.appendChild(body);
      if (place.tagName === "FORM") {
        place.insertBefore(alert, place.firstChild);
      } else {
        place.parentNode.insertBefore(alert, place.nextSibling);
      }
    }
    alert.querySelector(".alert-text").textContent = message;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var status = detail.xhr.status;
    if (status < 400) {
      return;
    }
    var text = detail.serverResponse;
    if (SWAPPED.indexOf(status) !== -1 && !isFullPage(text)) {
      detail.shouldSwap = true;
      detail.isError = false;
      return;
    }
    detail.shouldSwap = false;
    var message = isFullPage(text) ? pageMessage(text) : "";
    showAlert(source(detail), message || fallback("data-htmx-error"));
  });

  // Once an answer gets through again, an alert about an earlier one is stale.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful) {
      return;
    }
    var place = placeFor(source(event.detail));
    var alert = place && place.isConnected ? existingAlert(place) : null;
    if (alert) {
      alert.remove();
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    showAlert(source(event.detail), fallback("data-htmx-offline"));
  });
})();
