/* Names to pick from while typing in a filter box marked data-suggest: the API's search of
   companies (English, Korean, Chinese names and aliases) fills the box's datalist. The filter
   takes any of those names, so a pick needs no slug. Only this site is asked. */
(function () {
  "use strict";

  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.dataset.suggest;
    var timer = null;
    var asked = "";
    if (!list || !url || url.charAt(0) !== "/") { return; }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var text = input.value.trim();
      if (!text || text === asked) { return; }
      timer = window.setTimeout(function () {
        asked = text;
        var address = url + "?limit=10&q=" + encodeURIComponent(text);
        window.fetch(address, { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (body) {
            var options = (body.results || []).map(function (row) {
              var option = document.createElement("option");
              option.value = row.name;
              option.label = [row.name, row.name_ko, row.name_zh].filter(Boolean).join(" · ");
              return option;
            });
            list.replaceChildren.apply(list, options);
          })
          .catch(function () { /* no suggestions; the box still takes any name */ });
      }, 200);
    });
  }

  document.querySelectorAll("input[data-suggest]").forEach(attach);
})();
