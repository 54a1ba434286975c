/**
 * The dashboard page's script (`app.js`), plain ES2017 with no dependencies besides the local plotly.js. It never
 * builds HTML from data: text goes through `textContent` / `new Option`, and the only `innerHTML` is the summary
 * card the server escaped (records.ts). Filters sum the pre-aggregated strata and rebind the figure templates.
 */

/** The text of `app.js`. */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var D = window.MMH_POPULATION;
  if (!D) { document.getElementById('status').textContent = 'data/population.js did not load'; return; }
  var state = { outcome: '', sex: '', band: '', modality: '', focus: D.filters.outcomes[0].key, sheet: D.sheets[0].key, patient: -1, search: '' };
  var dirty = {};
  var firstPlotMarked = false;
  var renderToken = 0;
  var CONFIG = { responsive: true, displaylogo: false };

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function plotlyText(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }
  function outcomeIndex(key) { for (var i = 0; i < D.filters.outcomes.length; i++) { if (D.filters.outcomes[i].key === key) { return i; } } return -1; }
  function outcomeBit(key) { var i = outcomeIndex(key); return i < 0 ? 0 : (1 << i); }
  function outcomeLabel(key) { var i = outcomeIndex(key); return i < 0 ? key : D.filters.outcomes[i].label; }
  function matches(s, where) {
    var st = D.strata;
    if (state.sex !== '' && D.filters.sexes[st.sex[s]] !== state.sex) { return false; }
    if (state.band !== '' && D.filters.ageBands[st.band[s]] !== state.band) { return false; }
    if (state.outcome !== '' && (st.outcomes[s] & outcomeBit(state.outcome)) === 0) { return false; }
    if (state.modality !== '' && (st.modalities[s] & (1 << D.filters.modalities.indexOf(state.modality))) === 0) { return false; }
    if (where === 'focus') { return (st.outcomes[s] & outcomeBit(state.focus)) !== 0; }
    if (where === 'not-focus') { return (st.outcomes[s] & outcomeBit(state.focus)) === 0; }
    if (where && typeof where === 'object') { return ((st.outcomes[s] & outcomeBit(where.outcome)) !== 0) === where.has; }
    return true;
  }
  function sumMeasure(name, where) {
    var m = D.measures[name];
    var out = [];
    for (var i = 0; i < m.length; i++) { out.push(0); }
    for (var s = 0; s < m.strata.length; s++) {
      var v = m.strata[s];
      if (v.length === 0 || !matches(s, where)) { continue; }
      for (var k = 0; k < v.length; k += 2) { out[v[k]] += v[k + 1]; }
    }
    return out;
  }
  function selectedCount() { return sumMeasure('count')[0] || 0; }
  function countStrata(keep) {
    var c = D.measures.count, n = 0;
    for (var s = 0; s < c.strata.length; s++) { var v = c.strata[s]; if (v.length > 0 && matches(s) && keep(s)) { n += v[1]; } }
    return n;
  }
  function percent(n, of) { return of === 0 ? '–' : (Math.round(1000 * n / of) / 10) + '%'; }
  // Key figures (QuickSight's KPI visuals): drawn from the pre-aggregated strata before plotly has even loaded.
  function renderKpis() {
    var host = $('kpis');
    while (host.firstChild) { host.removeChild(host.firstChild); }
    var total = selectedCount();
    function tile(value, label) { var t = el('div', 'kpi'); t.appendChild(el('div', 'v', value)); t.appendChild(el('div', 'k', label)); host.appendChild(t); }
    tile(total.toLocaleString('en-US'), 'patients selected');
    D.filters.outcomes.forEach(function (o) {
      var bit = outcomeBit(o.key);
      tile(percent(countStrata(function (s) { return (D.strata.outcomes[s] & bit) !== 0; }), total), o.label);
    });
    D.filters.modalities.forEach(function (m, i) {
      tile(percent(countStrata(function (s) { return (D.strata.modalities[s] & (1 << i)) !== 0; }), total), 'with ' + m + ' data');
    });
  }
  function bound(sf) {
    var fig = JSON.parse(JSON.stringify(sf.figure));
    sf.bindings.forEach(function (b) {
      var tr = fig.data[b.trace];
      if (!tr) { return; }
      if (b.prop === 'name') { tr.name = plotlyText(b.template.replace('{focus}', outcomeLabel(state.focus))); return; }
      var v = sumMeasure(b.measure, b.where);
      if (b.slice) { v = v.slice(b.slice[0], b.slice[1]); }
      var count = b.transform === 'percent-of-count' ? sumMeasure('count', b.where)[0] || 0 : 0;
      var sum = v.reduce(function (a, x) { return a + x; }, 0);
      v = v.map(function (x) {
        if (b.transform === 'negate') { return -x; }
        if (b.transform === 'percent-of-count') { return count === 0 ? 0 : Math.round(10000 * x / count) / 100; }
        if (b.transform === 'percent-of-sum') { return sum === 0 ? 0 : Math.round(10000 * x / sum) / 100; }
        return x;
      });
      if (b.prop === 'z' && b.columns) {
        var rows = [];
        for (var r = 0; r < v.length / b.columns; r++) { rows.push(v.slice(r * b.columns, (r + 1) * b.columns)); }
        v = rows;
      }
      tr[b.prop] = v;
    });
    if (sf.points && D.points[sf.points] && fig.data.length >= 2) {
      var P = D.points[sf.points];
      var parts = [{ x: [], y: [], text: [] }, { x: [], y: [], text: [] }];
      for (var i = 0; i < P.x.length; i++) {
        if (P.stratum[i] < 0 || !matches(P.stratum[i])) { continue; }
        var part = parts[(D.strata.outcomes[P.stratum[i]] & outcomeBit(state.focus)) !== 0 ? 1 : 0];
        part.x.push(P.x[i]); part.y.push(P.y[i]); part.text.push(plotlyText(D.patients.ids[P.patient[i]] || ''));
      }
      [0, 1].forEach(function (t) { fig.data[t].x = parts[t].x; fig.data[t].y = parts[t].y; fig.data[t].text = parts[t].text; });
    }
    return fig;
  }
  // Text plotly would have rendered as markup arrives entity-escaped (viz plotlyText); as DOM text it is decoded.
  function plainText(v) { return String(v === null || v === undefined ? '' : v).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'); }
  function figureTitle(fig) { var t = fig.layout && fig.layout.title; return plainText(t && typeof t === 'object' ? t.text : t || ''); }
  // Table traces become HTML tables (text via textContent): selectable, searchable, and no table module in the
  // cartesian plotly bundle the page loads.
  function drawTable(div, fig) {
    var tr = fig.data[0];
    div.style.height = '';
    while (div.firstChild) { div.removeChild(div.firstChild); }
    div.classList.add('table-card');
    div.appendChild(el('h3', '', figureTitle(fig)));
    var wrap = el('div', 'table-wrap');
    var table = el('table', 'data');
    var head = table.createTHead().insertRow();
    (tr.header.values || []).forEach(function (h) { head.appendChild(el('th', '', plainText(h))); });
    var cols = tr.cells.values || [];
    var body = table.createTBody();
    for (var r = 0; r < (cols[0] || []).length; r++) {
      var row = body.insertRow();
      cols.forEach(function (c) { row.insertCell().textContent = plainText(c[r]); });
    }
    wrap.appendChild(table);
    div.appendChild(wrap);
    return Promise.resolve();
  }
  // plotly.js (preloaded by index.html) is run once the first frame has painted (see the end of this script);
  // plots queue until then.
  var plotlyLoaded;
  var plotlyReady = new Promise(function (resolve) { plotlyLoaded = resolve; });
  function loadPlotly() {
    if (window.Plotly) { plotlyLoaded(); return; }
    var tag = document.createElement('script');
    tag.src = 'plotly.min.js';
    tag.onload = function () { plotlyLoaded(); };
    tag.onerror = function () { $('status').textContent = 'plotly.min.js did not load: plots are unavailable'; };
    document.body.appendChild(tag);
  }
  function draw(div, fig) {
    if (fig.data.length === 1 && fig.data[0].type === 'table') { return drawTable(div, fig); }
    if (!window.Plotly) { return plotlyReady.then(function () { return draw(div, fig); }); }
    // Size the card from the figure so tall figures (long label lists) are not clipped by the grid row.
    div.style.height = ((fig.layout && fig.layout.height) || 380) + 'px';
    return window.Plotly.react(div, fig.data, fig.layout, CONFIG).then(function () {
      if (!firstPlotMarked) { firstPlotMarked = true; performance.mark('mmh-first-plot'); }
    });
  }
  function renderSheet(key) {
    var sheet = D.sheets.filter(function (s) { return s.key === key; })[0];
    var host = $('sheet-' + key);
    if (!sheet || !host) { return; }
    if (!host.hasChildNodes()) {
      if (sheet.message) { host.appendChild(el('p', sheet.available ? 'note' : 'empty', sheet.message)); }
      sheet.figures.forEach(function (sf) { var d = el('div', 'plot'); d.id = 'fig-' + key + '-' + sf.id; host.appendChild(d); });
    }
    // One figure per task, so the first plot paints before the rest are drawn.
    var token = ++renderToken;
    var queue = sheet.figures.slice();
    (function next() {
      if (token !== renderToken || queue.length === 0) { return; }
      var sf = queue.shift();
      draw($('fig-' + key + '-' + sf.id), bound(sf)).then(function () { setTimeout(next, 0); });
    })();
    dirty[key] = false;
  }
  function showView(key) {
    state.sheet = key;
    Array.prototype.forEach.call(document.querySelectorAll('.view'), function (v) { v.hidden = v.id !== 'view-' + key; });
    Array.prototype.forEach.call(document.querySelectorAll('nav button'), function (b) { b.setAttribute('aria-selected', String(b.getAttribute('data-view') === key)); });
    if (key === 'patient') { renderPicker(); } else if (dirty[key] !== false) { renderSheet(key); }
  }
  function refresh() {
    $('status').textContent = 'Showing ' + selectedCount().toLocaleString('en-US') + ' of ' + D.patientCount.toLocaleString('en-US') + ' patients';
    renderKpis();
    D.sheets.forEach(function (s) { dirty[s.key] = true; });
    if (state.sheet === 'patient') { renderPicker(); } else { renderSheet(state.sheet); }
  }
  function fillSelect(id, values, labels, anyLabel) {
    var s = $(id);
    s.appendChild(new Option(anyLabel, ''));
    values.forEach(function (v, i) { s.appendChild(new Option(labels ? labels[i] : v, v)); });
    return s;
  }
  function renderPicker() {
    var list = $('patient-list');
    var q = state.search.toLowerCase();
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var shown = 0;
    for (var i = 0; i < D.patients.ids.length && shown < 200; i++) {
      if (!matches(D.patients.stratum[i])) { continue; }
      var label = D.patients.labels[i];
      if (q !== '' && label.toLowerCase().indexOf(q) < 0) { continue; }
      var o = new Option(label, String(i));
      o.selected = i === state.patient;
      list.appendChild(o);
      shown++;
    }
    $('picker-count').textContent = shown === 200 ? 'first 200 matches' : shown + ' matches';
  }
  window.mmhPatientLoaded = function (i, rec) {
    if (i !== state.patient) { return; }
    var host = $('patient-panels');
    while (host.firstChild) { host.removeChild(host.firstChild); }
    var card = el('div', 'card');
    card.innerHTML = rec.summaryHtml; // escaped on the server (records.ts patientSummaryHtml)
    host.appendChild(card);
    rec.figures.forEach(function (f) {
      var d = el('div', 'plot');
      d.id = 'patient-' + f.id;
      host.appendChild(d);
      draw(d, f.figure);
    });
    host.setAttribute('data-patient', rec.id);
  };
  function loadPatient(i) {
    state.patient = i;
    $('patient-panels').textContent = 'loading…';
    var s = document.createElement('script');
    s.src = 'patients/' + i + '.js';
    s.onerror = function () { $('patient-panels').textContent = 'could not load this patient record'; };
    document.body.appendChild(s);
  }

  fillSelect('f-outcome', D.filters.outcomes.map(function (o) { return o.key; }), D.filters.outcomes.map(function (o) { return o.label; }), 'all patients');
  fillSelect('f-sex', D.filters.sexes, null, 'any sex');
  fillSelect('f-band', D.filters.ageBands, null, 'any age');
  fillSelect('f-modality', D.filters.modalities, null, 'any data');
  var focus = $('f-focus');
  D.filters.outcomes.forEach(function (o) { focus.appendChild(new Option(o.label, o.key)); });
  [['f-outcome', 'outcome'], ['f-sex', 'sex'], ['f-band', 'band'], ['f-modality', 'modality'], ['f-focus', 'focus']].forEach(function (p) {
    $(p[0]).addEventListener('change', function (e) { state[p[1]] = e.target.value; refresh(); });
  });
  var nav = $('tabs');
  D.sheets.concat([{ key: 'patient', title: 'Patient' }]).forEach(function (s) {
    var b = el('button', '', s.title + (s.available === false ? ' (no data)' : ''));
    b.setAttribute('data-view', s.key);
    b.setAttribute('role', 'tab');
    b.addEventListener('click', function () { showView(s.key); });
    nav.appendChild(b);
    if (s.key !== 'patient') {
      var v = el('section', 'view');
      v.id = 'view-' + s.key;
      v.appendChild(el('div', 'sheet')).id = 'sheet-' + s.key;
      $('views').insertBefore(v, $('view-patient'));
    }
  });
  $('patient-search').addEventListener('input', function (e) { state.search = e.target.value; renderPicker(); });
  $('patient-list').addEventListener('change', function (e) { var i = Number(e.target.value); if (i >= 0) { loadPatient(i); } });
  $('status').textContent = '';
  refresh();
  showView(state.sheet);
  // The key figures and layout are on screen after the next frame (the first meaningful paint); then plotly runs.
  requestAnimationFrame(function () { setTimeout(function () { performance.mark('mmh-first-meaningful-paint'); loadPlotly(); }, 0); });
})();
`;
