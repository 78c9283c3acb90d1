// Baobei's only script: add and remove repeated rows in a form (contacts),
// and print buttons (data-print).
// No inline handlers, so it works under a strict Content-Security-Policy.
//
//   <div id="contacts">…<div class="row">… <button type="button" data-remove-row>删除</button></div></div>
//   <template id="contact-row"><div class="row">…</div></template>
//   <button type="button" data-add-row="contact-row" data-target="contacts">添加联系人</button>
//
// data-add-row names the <template>; data-target names the container the
// copy is appended to. In the template, "__i__" in name and id attributes
// is replaced by a fresh index so each row's fields stay distinct.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var add = event.target.closest("button[data-add-row]");
    if (add) {
      event.preventDefault();
      var tpl = document.getElementById(add.getAttribute("data-add-row"));
      var target = document.getElementById(add.getAttribute("data-target"));
      if (!tpl || !target) {
        return;
      }
      // Server-rendered rows are numbered 0…n-1; new ones continue from n
      // and never reuse a number, even after a row is removed.
      var index = Number(target.getAttribute("data-next") || target.querySelectorAll(".row").length);
      target.setAttribute("data-next", String(index + 1));
      var copy = tpl.content.cloneNode(true);
      copy.querySelectorAll("[name], [id], [for]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var v = el.getAttribute(attr);
          if (v && v.indexOf("__i__") >= 0) {
            el.setAttribute(attr, v.split("__i__").join(String(index)));
          }
        });
      });
      var first = copy.querySelector("input, select, textarea");
      target.appendChild(copy);
      if (first) {
        first.focus();
      }
      return;
    }
    var remove = event.target.closest("button[data-remove-row]");
    if (remove) {
      event.preventDefault();
      var row = remove.closest(".row");
      if (row) {
        row.remove();
      }
      return;
    }
    // <button type="button" data-print> prints the page (the daily visit sheet).
    if (event.target.closest("button[data-print]")) {
      window.print();
    }
  });
})();
