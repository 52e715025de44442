/* The printable reports (api/web/page.py): the "Afdrukken" button prints the page. A file with a
 * listener, not an onclick attribute, so the reports run under the service's
 * Content-Security-Policy (script-src 'self', api/http/security.py). */
(function () {
  "use strict";
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
})();
