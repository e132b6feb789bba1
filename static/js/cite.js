// "Copy citation" on a record's page (templates/includes/cite.html). The
// button stays hidden where script does not run or the clipboard is missing;
// the citation text is there to select either way.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy-from]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copyFrom);
    if (!source || !navigator.clipboard) {
      return;
    }
    var status = button.parentElement.querySelector(".cite-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () {
          // The words are the page's, in its language (data-*-message).
          if (status) status.textContent = button.dataset.copiedMessage || "Citation copied.";
        },
        function () {
          if (status) {
            status.textContent =
              button.dataset.failedMessage || "Could not copy: select the citation and copy it.";
          }
        }
      );
    });
  });
})();
