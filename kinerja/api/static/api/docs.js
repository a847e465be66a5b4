// Starts Swagger UI on /api/docs with the settings the page carries, and sends the
// session's CSRF token with every call tried from the page (the API asks for it).
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  var csrf = document.body.getAttribute("data-csrf-token");
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis];
  settings.requestInterceptor = function (request) {
    if (csrf) {
      request.headers["X-CSRFToken"] = csrf;
    }
    return request;
  };
  window.ui = SwaggerUIBundle(settings);
})();
