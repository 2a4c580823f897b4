// Keep the attendance grid's row and column totals up to date while typing. The server computes
// the same totals when the page is rendered, so the page reads the same without JavaScript.
(function () {
  "use strict";
  var table = document.querySelector("table.qvt-attendance");
  if (!table) { return; }

  function count(input) {
    var value = parseInt(input.value, 10);
    return isNaN(value) || value < 0 ? 0 : value;
  }

  function update() {
    var columns = [];
    var grand = 0;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var total = 0;
      row.querySelectorAll("input").forEach(function (input, index) {
        var value = count(input);
        total += value;
        columns[index] = (columns[index] || 0) + value;
      });
      row.querySelector("[data-row-total]").textContent = total;
      grand += total;
    });
    table.querySelectorAll("[data-column-total]").forEach(function (cell, index) {
      cell.textContent = columns[index] || 0;
    });
    table.querySelector("[data-grand-total]").textContent = grand;
  }

  table.addEventListener("input", update);
})();
