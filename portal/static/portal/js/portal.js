// Name select2 autocomplete boxes after their field label. select2 names the
// box after its current selection only, so an empty box has no accessible name.
(function () {
  function nameSelect2(root) {
    root.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
      var container = box.getAttribute("aria-labelledby") || "";
      var match = container.match(/^select2-(.+)-container$/);
      if (!match) return;
      var label = document.querySelector('label[for="' + match[1] + '"]');
      if (!label) return;
      if (!label.id) label.id = "label-" + match[1];
      box.setAttribute("aria-labelledby", label.id + " " + container);
      var rendered = document.getElementById(container);
      if (rendered) rendered.setAttribute("aria-labelledby", label.id + " " + container);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    nameSelect2(document);
    new MutationObserver(function () { nameSelect2(document); })
      .observe(document.body, { childList: true, subtree: true });
  });
})();
