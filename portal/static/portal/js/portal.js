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
  // Icon fonts spell their icon's name ("upload"): keep it out of accessible names.
  function hideIcons(root) {
    root.querySelectorAll(".material-symbols-outlined:not([aria-hidden])").forEach(function (icon) {
      icon.setAttribute("aria-hidden", "true");
    });
  }
  // A link or button that shows only an icon still needs a name.
  var ICON_NAMES = { diversity_3: "Commissioning Portal home", add: "Add", close: "Close",
                     search: "Search", more_vert: "More" };
  function nameIconButtons(root) {
    root.querySelectorAll("a, button").forEach(function (el) {
      if (el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby")) return;
      var text = Array.prototype.filter.call(el.childNodes, function (node) {
        return !(node.classList && node.classList.contains("material-symbols-outlined"));
      }).map(function (node) { return node.textContent; }).join("").trim();
      if (text) return;
      var icon = el.querySelector(".material-symbols-outlined");
      var name = el.getAttribute("title") || (icon && (ICON_NAMES[icon.textContent.trim()] ||
        icon.textContent.trim().replace(/_/g, " ")));
      if (name) el.setAttribute("aria-label", name);
    });
  }
  // A multiple autocomplete's search box is named after the field's label too, and
  // its "remove all" cross moves out of the list of choices (a <ul> holds only <li>).
  function tidySelect2Multiple(root) {
    root.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (field) {
      var container = field.closest(".select2-container");
      var select = container && container.previousElementSibling;
      var label = select && select.id && document.querySelector('label[for="' + select.id + '"]');
      field.setAttribute("aria-label", label ? label.textContent.trim() : "Search");
    });
    root.querySelectorAll(".select2-selection__rendered > .select2-selection__clear")
      .forEach(function (clear) {
        var list = clear.parentElement;
        list.parentElement.querySelectorAll(":scope > .select2-selection__clear")
          .forEach(function (old) { old.remove(); });
        list.parentElement.insertBefore(clear, list);
      });
  }
  // Django's filter hints are spans with an aria-label, which a span may not carry
  // without a role: they are images of a hint.
  function roleHints(root) {
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (hint) {
      hint.setAttribute("role", "img");
    });
  }
  function tidy() {
    nameSelect2(document); tidySelect2Multiple(document); hideIcons(document);
    nameIconButtons(document); roleHints(document);
  }
  // Every page gets one main landmark and a "Skip to main content" link first in
  // the tab order (Unfold's layout has neither).
  function landmarks() {
    var main = document.querySelector("main") || document.getElementById("content") ||
      document.querySelector("#page .grow > div") || document.getElementById("page");
    if (!main) return;
    if (main.tagName !== "MAIN") main.setAttribute("role", "main");
    if (!main.id) main.id = "main-content";
    main.setAttribute("tabindex", "-1");
    if (document.getElementById("skip-link")) return;
    var skip = document.createElement("a");
    skip.id = "skip-link";
    skip.href = "#" + main.id;
    skip.className = "skip-link";
    skip.textContent = "Skip to main content";
    skip.addEventListener("click", function (event) {
      event.preventDefault();
      main.focus();
    });
    document.body.insertBefore(skip, document.body.firstChild);
  }
  // "Add another ..." adds an inline row: move focus to its first field, so a
  // keyboard user lands in the new row instead of Tabbing past every earlier one.
  var FIELDS = "input:not([type=hidden]):not([disabled]), select:not([disabled]), " +
    "textarea:not([disabled])";
  // Unfold also fires formset:added after htmx swaps: only a row the user just
  // asked for takes focus.
  var adding = false;
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(".add-row")) adding = true;
  }, true);
  function focusNewRow(event) {
    if (!adding) return;
    adding = false;
    var row = event.target;
    if (!row || !row.querySelectorAll) return;
    var fields = Array.prototype.filter.call(row.querySelectorAll(FIELDS), function (field) {
      if (/-DELETE$/.test(field.name || "")) return false;
      if (field.classList.contains("select2-hidden-accessible")) return true;
      return field.offsetParent !== null;
    });
    var first = fields[0];
    if (!first) return;
    // An autocomplete hides its <select> behind select2's box: focus the box.
    var box = first.tagName === "SELECT" && first.classList.contains("select2-hidden-accessible") &&
      first.parentElement.querySelector(".select2-selection[role=combobox]");
    window.requestAnimationFrame(function () { (box || first).focus(); });
  }
  document.addEventListener("formset:added", focusNewRow);
  document.addEventListener("DOMContentLoaded", function () {
    landmarks();
    tidy();
    var pending = false;
    new MutationObserver(function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () { pending = false; tidy(); });
    }).observe(document.body, { childList: true, subtree: true });
  });
})();
