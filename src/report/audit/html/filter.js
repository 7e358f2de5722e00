(function () {
  "use strict";
  var rank = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
  var form = document.getElementById("filters");
  var names = ["account", "region", "verdict", "severity", "code", "q"];
  var listeners = [];
  var byIndex = {};
  document.querySelectorAll("tr.listener-row").forEach(function (row) {
    var entry = {
      index: row.dataset.l,
      account: row.dataset.account,
      region: row.dataset.region,
      verdict: row.dataset.verdict,
      codes: (row.dataset.codes || "").split(" ").filter(Boolean),
      severities: (row.dataset.severities || "").split(" ").filter(Boolean),
      parts: [],
      text: "",
      shown: true
    };
    listeners.push(entry);
    byIndex[entry.index] = entry;
  });
  document.querySelectorAll("[data-l]").forEach(function (el) {
    var entry = byIndex[el.dataset.l];
    if (entry) {
      entry.parts.push(el);
      entry.text += " " + el.textContent.toLowerCase();
    }
  });
  var findings = document.querySelectorAll("li.finding");
  var certificates = document.querySelectorAll("tr.certificate-row");
  var scopes = document.querySelectorAll("tr.scope-row");

  function value(name) {
    var field = form.elements[name];
    return field ? field.value : "";
  }

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el) {
      el.textContent = text;
    }
  }

  function apply() {
    var account = value("account");
    var region = value("region");
    var verdict = value("verdict");
    var code = value("code");
    var severity = value("severity");
    var minimum = severity === "" ? -1 : rank[severity];
    var words = value("q").toLowerCase().split(/\s+/).filter(Boolean);
    var verdicts = {};
    var shownListeners = 0;
    listeners.forEach(function (l) {
      l.shown = (account === "" || l.account === account) &&
        (region === "" || l.region === region) &&
        (verdict === "" || l.verdict === verdict) &&
        (code === "" || l.codes.indexOf(code) >= 0) &&
        (minimum < 0 || l.severities.some(function (s) { return rank[s] >= minimum; })) &&
        words.every(function (w) { return l.text.indexOf(w) >= 0; });
      l.parts.forEach(function (el) { el.hidden = !l.shown; });
      if (l.shown) {
        shownListeners += 1;
        verdicts[l.verdict] = (verdicts[l.verdict] || 0) + 1;
      }
    });
    var severities = {};
    findings.forEach(function (li) {
      var owner = byIndex[li.dataset.l];
      var shown = (!owner || owner.shown) &&
        (code === "" || li.dataset.code === code) &&
        (minimum < 0 || rank[li.dataset.severity] >= minimum);
      li.hidden = !shown;
      if (shown) {
        severities[li.dataset.severity] = (severities[li.dataset.severity] || 0) + 1;
      }
    });
    certificates.forEach(function (row) {
      row.hidden = !row.dataset.ls.split(" ").some(function (i) {
        return byIndex[i] && byIndex[i].shown;
      });
    });
    scopes.forEach(function (row) {
      row.hidden = (account !== "" && row.dataset.account !== account) ||
        (region !== "" && row.dataset.region !== region);
    });
    document.querySelectorAll("[data-section]").forEach(function (section) {
      var items = section.querySelectorAll("[data-item]");
      var visible = 0;
      items.forEach(function (el) {
        if (!el.hidden) {
          visible += 1;
        }
      });
      var empty = section.querySelector(".nothing-shown");
      if (empty) {
        empty.hidden = items.length === 0 || visible > 0;
      }
    });
    var filtered = names.some(function (name) { return value(name) !== ""; });
    document.querySelectorAll(".card .of").forEach(function (el) { el.hidden = !filtered; });
    setText("shown-listeners", String(shownListeners));
    ["compliant", "drift", "baseline", "unverified", "unchecked"].forEach(function (v) {
      setText("shown-" + v, String(verdicts[v] || 0));
    });
    Object.keys(rank).forEach(function (s) {
      setText("shown-findings-" + s, String(severities[s] || 0));
    });
    setText("filter-status", shownListeners === listeners.length
      ? "showing all " + listeners.length + " listeners"
      : "showing " + shownListeners + " of " + listeners.length + " listeners");
  }

  // `#verdict=drift&q=nlb` presets the filters: a link can point at a view of the report.
  function fromHash() {
    window.location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at < 0) {
        return;
      }
      try {
        var name = decodeURIComponent(pair.slice(0, at));
        var text = decodeURIComponent(pair.slice(at + 1).replace(/\+/g, " "));
        if (names.indexOf(name) >= 0) {
          form.elements[name].value = text;
        }
      } catch (ignored) {
        // A malformed escape in a hand-written link: that filter stays unset.
      }
    });
  }

  function toHash() {
    var pairs = names.filter(function (name) { return value(name) !== ""; })
      .map(function (name) { return name + "=" + encodeURIComponent(value(name)); });
    try {
      window.history.replaceState(null, "", pairs.length ? "#" + pairs.join("&") : "#");
    } catch (ignored) {
      // Some browsers refuse history changes on file:// pages; the filters still work.
    }
  }

  form.addEventListener("input", function () { apply(); toHash(); });
  form.addEventListener("change", function () { apply(); toHash(); });
  form.addEventListener("reset", function () {
    window.setTimeout(function () { apply(); toHash(); }, 0);
  });
  window.addEventListener("hashchange", function () { form.reset(); fromHash(); apply(); });
  fromHash();
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
  document.documentElement.setAttribute("data-ready", "1");
}());
