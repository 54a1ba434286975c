/**
 * The dashboard page's script (`app.js`), plain ES2017 with no dependencies besides the local plotly.js. It never
 * builds HTML from data: text goes through `textContent` / `new Option`, and the only `innerHTML` is the summary
 * card the server escaped (records.ts). Filters sum the pre-aggregated strata and rebind the figure templates.
 * `#patient=<id>` and `#sheet=<key>` links open a patient or a sheet (back/forward follow them); the MRI viewer draws
 * the patient's slices on a canvas with window/level and the brain-mask outline.
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
    // Headers may break after an underscore (roc_auc_ci_high) rather than anywhere.
    (tr.header.values || []).forEach(function (h) { head.appendChild(el('th', '', plainText(h).replace(/_/g, '_\u200b'))); });
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
  // plotly does not wrap titles: break a title too long for its card onto more lines (at spaces; the text is already
  // entity-escaped, so the inserted <br> is the only markup) and grow the top margin and the height to match.
  function fitTitle(layout, width) {
    var t = layout.title;
    if (!t || typeof t !== 'object' || typeof t.text !== 'string' || !(width > 0)) { return; }
    var size = (t.font && t.font.size) || 15;
    var room = Math.max(12, Math.floor((width - 40) / (0.6 * size)));
    if (t.text.length <= room) { return; }
    var lines = [''];
    t.text.split(' ').forEach(function (w) {
      var last = lines[lines.length - 1];
      if (last !== '' && last.length + 1 + w.length > room) { lines.push(w); } else { lines[lines.length - 1] = last === '' ? w : last + ' ' + w; }
    });
    var extra = Math.ceil((lines.length - 1) * size * 1.3);
    layout.title = Object.assign({}, t, { text: lines.join('<br>') });
    layout.margin = Object.assign({ l: 60, r: 20, t: 48, b: 48 }, layout.margin);
    layout.margin.t += extra;
    layout.height = (layout.height || 380) + extra;
  }
  function draw(div, fig) {
    if (fig.data.length === 1 && fig.data[0].type === 'table') { return drawTable(div, fig); }
    if (!window.Plotly) { return plotlyReady.then(function () { return draw(div, fig); }); }
    // Size the card from the figure so tall figures (long label lists) are not clipped by the grid row.
    // autosize: the plot takes its card's width (plotly's default is a fixed 700 px) and follows window resizes.
    var layout = Object.assign({}, fig.layout);
    if (layout.width === undefined) { layout.autosize = true; }
    fitTitle(layout, div.clientWidth);
    div.style.height = (layout.height || 380) + 'px';
    return window.Plotly.react(div, fig.data, layout, CONFIG).then(function () {
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
    // Plots of a hidden view missed window resizes: fit them to their cards now that they show.
    if (window.Plotly) { Array.prototype.forEach.call(document.querySelectorAll('#view-' + key + ' .js-plotly-plot'), function (d) { window.Plotly.Plots.resize(d); }); }
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
    if (rec.mri) { host.appendChild(mriCard(rec.mri)); }
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

  // MRI viewer: the series file (mri.ts) holds deflated 8-bit levels and the brain mask; slices are drawn on a
  // canvas with window/level in the stored units and the mask outlined.
  var mriPending = {};
  window.mmhMriLoaded = function (setId, data) { var cb = mriPending[setId]; delete mriPending[setId]; if (cb) { cb(data); } };
  function inflate(b64) {
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
    return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }
  function slider(label, min, max, value, step) {
    var wrap = el('label', 'mri-control');
    wrap.appendChild(el('span', '', label));
    var input = el('input');
    input.type = 'range'; input.min = String(min); input.max = String(max); input.step = String(step || 1); input.value = String(value);
    var out = el('output', '', '');
    wrap.appendChild(input); wrap.appendChild(out);
    return { wrap: wrap, input: input, out: out };
  }
  function mriCard(ref) {
    var box = el('div', 'plot mri-card');
    box.id = 'patient-mri';
    box.appendChild(el('h3', '', 'MRI' + (ref.studyDate ? ' · ' + ref.studyDate : '') + (ref.description ? ' · ' + ref.description : '')));
    var status = el('p', 'mri-status', 'loading the MR series…');
    box.appendChild(status);
    var body = el('div', 'mri-body');
    var canvas = el('canvas');
    canvas.id = 'mri-canvas';
    body.appendChild(canvas);
    var controls = el('div', 'mri-controls');
    body.appendChild(controls);
    box.appendChild(body);
    mriPending[ref.imageSetId] = function (data) {
      Promise.all([inflate(data.voxels), data.mask ? inflate(data.mask) : Promise.resolve(null)]).then(function (r) {
        showMri(box, canvas, controls, status, data, r[0], r[1]);
      }, function (e) { status.textContent = 'could not decode the MR series: ' + e; });
    };
    var s = document.createElement('script');
    s.src = ref.file;
    s.onerror = function () { status.textContent = 'could not load ' + ref.file; };
    document.body.appendChild(s);
    return box;
  }
  function showMri(box, canvas, controls, status, data, q, mask) {
    var X = data.size[0], Y = data.size[1], Z = data.size[2], plane = X * Y;
    var unit = (data.high - data.low) / 255;
    var toValue = function (level) { return data.low + level * unit; };
    // Default window: 1st–99th percentile of the brain (of the volume without a mask).
    var hist = new Array(256).fill(0), n = 0;
    for (var i = 0; i < q.length; i++) { if (!mask || mask[i]) { hist[q[i]]++; n++; } }
    function pct(p) { var c = 0; for (var k = 0; k < 256; k++) { c += hist[k]; if (c >= p * n) { return k; } } return 255; }
    var lo = toValue(pct(0.01)), hi = toValue(pct(0.99));
    if (!(hi > lo)) { lo = data.low; hi = data.high; }
    var best = Math.floor(Z / 2);
    if (mask) { var most = -1; for (var z = 0; z < Z; z++) { var a = 0; for (var j = z * plane; j < (z + 1) * plane; j++) { a += mask[j]; } if (a > most) { most = a; best = z; } } }
    var round = function (v) { return Math.round(v * 10) / 10; };
    var sl = slider('slice', 1, Z, best + 1);
    var win = slider('window', Math.max(unit, 1e-6), round(data.high - data.low || 1), round(hi - lo), round(Math.max(unit, (data.high - data.low) / 500)));
    var lev = slider('level', round(data.low), round(data.high), round((lo + hi) / 2), round(Math.max(unit, (data.high - data.low) / 500)));
    var maskBox = el('label', 'mri-control mri-toggle');
    var maskInput = el('input'); maskInput.type = 'checkbox'; maskInput.checked = !!mask; maskInput.disabled = !mask;
    maskBox.appendChild(maskInput); maskBox.appendChild(el('span', '', 'brain mask'));
    [sl, win, lev].forEach(function (c) { controls.appendChild(c.wrap); });
    controls.appendChild(maskBox);
    canvas.width = X; canvas.height = Y;
    canvas.style.aspectRatio = String(X * data.spacingMm[0]) + ' / ' + String(Y * data.spacingMm[1]);
    var ctx = canvas.getContext('2d');
    var img = ctx.createImageData(X, Y);
    function render() {
      var z = Number(sl.input.value) - 1, w = Number(win.input.value), l = Number(lev.input.value);
      var from = l - w / 2, d = img.data, off = z * plane, showMask = maskInput.checked && mask;
      for (var p = 0; p < plane; p++) {
        var g = Math.max(0, Math.min(255, Math.round((toValue(q[off + p]) - from) / w * 255)));
        var o = p * 4;
        d[o] = g; d[o + 1] = g; d[o + 2] = g; d[o + 3] = 255;
        if (showMask && mask[off + p]) {
          var x = p % X, y = (p - x) / X;
          var edge = x === 0 || y === 0 || x === X - 1 || y === Y - 1 || !mask[off + p - 1] || !mask[off + p + 1] || !mask[off + p - X] || !mask[off + p + X];
          if (edge) { d[o] = 230; d[o + 1] = 159; d[o + 2] = 0; } else { d[o] = Math.round(0.8 * g + 0.2 * 230); d[o + 1] = Math.round(0.8 * g + 0.2 * 159); d[o + 2] = Math.round(0.8 * g); }
        }
      }
      ctx.putImageData(img, 0, 0);
      sl.out.textContent = (z + 1) + ' / ' + Z;
      win.out.textContent = String(round(w));
      lev.out.textContent = String(round(l));
      canvas.setAttribute('data-slice', String(z));
    }
    [sl, win, lev].forEach(function (c) { c.input.addEventListener('input', render); });
    maskInput.addEventListener('change', render);
    canvas.addEventListener('wheel', function (e) {
      e.preventDefault();
      sl.input.value = String(Math.max(1, Math.min(Z, Number(sl.input.value) + (e.deltaY > 0 ? 1 : -1))));
      render();
    }, { passive: false });
    render();
    status.textContent = X + ' × ' + Y + ' × ' + Z + ' voxels, ' + data.spacingMm.map(function (v) { return Math.round(v * 100) / 100; }).join(' × ') + ' mm' + (mask ? '; brain mask outlined' : data.maskNote ? '; no brain mask: ' + data.maskNote : '') + '. Scroll on the image or drag the slider to move through the slices.';
    box.setAttribute('data-ready', 'true');
  }

  // Deep links: #patient=<id> opens that patient, #sheet=<key> a sheet; back/forward follow (hashchange).
  function hashParams() {
    var out = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
      var k = kv.indexOf('=');
      if (k > 0) { try { out[kv.slice(0, k)] = decodeURIComponent(kv.slice(k + 1)); } catch (e) { out[kv.slice(0, k)] = ''; } }
    });
    return out;
  }
  function navigate(hash) { if (location.hash !== hash) { location.hash = hash; } else { applyHash(); } }
  function applyHash() {
    var h = hashParams();
    if (h.patient !== undefined) {
      var i = D.patients.ids.indexOf(h.patient);
      showView('patient');
      if (i < 0) { state.patient = -1; $('patient-panels').textContent = 'No patient with id "' + h.patient + '" in this dashboard.'; return; }
      if (i !== state.patient || $('patient-panels').getAttribute('data-patient') !== h.patient) { loadPatient(i); renderPicker(); }
      return;
    }
    var key = h.sheet !== undefined && (h.sheet === 'patient' || D.sheets.some(function (s) { return s.key === h.sheet; })) ? h.sheet : D.sheets[0].key;
    showView(key);
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
    b.addEventListener('click', function () { navigate('#sheet=' + encodeURIComponent(s.key)); });
    nav.appendChild(b);
    if (s.key !== 'patient') {
      var v = el('section', 'view');
      v.id = 'view-' + s.key;
      v.appendChild(el('div', 'sheet')).id = 'sheet-' + s.key;
      $('views').insertBefore(v, $('view-patient'));
    }
  });
  $('patient-search').addEventListener('input', function (e) { state.search = e.target.value; renderPicker(); });
  $('patient-list').addEventListener('change', function (e) { var i = Number(e.target.value); if (i >= 0) { navigate('#patient=' + encodeURIComponent(D.patients.ids[i])); } });
  window.addEventListener('hashchange', applyHash);
  $('status').textContent = '';
  var initial = hashParams();
  if (initial.patient !== undefined) { state.sheet = 'patient'; } else if (D.sheets.some(function (s) { return s.key === initial.sheet; })) { state.sheet = initial.sheet; }
  refresh();
  applyHash();
  // The key figures and layout are on screen after the next frame (the first meaningful paint); then plotly runs.
  requestAnimationFrame(function () { setTimeout(function () { performance.mark('mmh-first-meaningful-paint'); loadPlotly(); }, 0); });
})();
`;
