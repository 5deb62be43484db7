// The dashboard page of `sdsim serve` (docs/serve.md). No library: the
// charts are SVG drawn here. Every change of a lever asks the server for a
// run (POST /api/run) and redraws; at most one run request is in flight, and
// the latest settings win. The state of the levers lives in the URL's
// fragment, so a view can be shared.
'use strict';

(() => {
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------ state
  const S = {
    model: null,
    levers: {},      // name -> {on, intensity, start, phase_in}
    set: {},         // constant -> value (only those changed)
    charts: [],      // variable names
    view: 'charts',
    bands: false,
    baseline: null,  // {time, variables} for S.charts, base settings
    current: null,   // {time, variables} for S.charts, current settings
    bandData: null,  // /api/bands answer for the current settings
    compareData: null,
    runs: 0,         // run answers drawn
    busy: 0,         // requests in flight
    error: null,
  };

  // Display metadata (issue 18): a title, display units and a scale when
  // the model gives them; the name and `units:` otherwise.
  const label = (v) => (v && (v.title || v.name)) || '';
  const unitsOf = (v) => (v && (v.display_units || v.units)) || '';
  const scaleOf = (v) => (v && typeof v.display_scale === 'number' ? v.display_scale : 1);
  const variable = (name) => {
    const c = canonical(name);
    return S.model.variables.find((v) => canonical(v.name) === c) || { name, units: '', kind: '' };
  };
  const canonical = (s) => String(s).toLowerCase().replace(/[\s_]+/g, '_');

  // ------------------------------------------------------------ numbers
  const nf = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 4 });
  const nfCompact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumSignificantDigits: 3 });
  const nf6 = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 6 });
  const nfTime = new Intl.NumberFormat(undefined, { maximumFractionDigits: 6, useGrouping: false });
  const fmt = (x) => (x === null || x === undefined || !isFinite(x) ? '–' : nf.format(x));
  const fmt6 = (x) => (x === null || x === undefined || !isFinite(x) ? '–' : nf6.format(x));
  const fmtTime = (x) => (x === null || x === undefined || !isFinite(x) ? '–' : nfTime.format(x));
  const fmtAxis = (x) => (Math.abs(x) >= 1e4 ? nfCompact.format(x) : nf.format(x));
  const fmtSigned = (x, f = fmt) => (x > 0 ? '+' : '') + f(x);

  // "Nice" axis ticks covering [lo, hi].
  function ticks(lo, hi, count) {
    if (!(hi > lo)) {
      const d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
      lo -= d;
      hi += d;
    }
    const raw = (hi - lo) / Math.max(1, count);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || 10 * mag;
    const first = Math.floor(lo / step) * step;
    const out = [];
    for (let v = first; v <= hi + step * 0.5 && out.length < 50; v += step) out.push(+v.toPrecision(12));
    if (out[out.length - 1] < hi) out.push(+(out[out.length - 1] + step).toPrecision(12));
    return out;
  }

  // ------------------------------------------------------------ API
  class ApiError extends Error {
    constructor(status, body) {
      const e = body && body.error ? body.error : {};
      super(e.text || e.message || 'HTTP ' + status);
      this.status = status;
      this.body = body;
    }
  }

  async function api(path, body) {
    const init = body === undefined ? {} : {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    };
    const r = await fetch(path, init);
    const type = r.headers.get('Content-Type') || '';
    const payload = type.startsWith('application/json') ? await r.json() : await r.text();
    if (!r.ok) throw new ApiError(r.status, payload);
    return payload;
  }

  // The lever settings and overrides that differ from the served file.
  function settingsBody() {
    const body = {};
    const levers = {};
    for (const l of S.model.levers) {
      const cur = S.levers[l.name];
      const diff = {};
      for (const k of ['intensity', 'start', 'phase_in']) if (cur[k] !== l[k]) diff[k] = cur[k];
      if (cur.on !== l.on || Object.keys(diff).length) levers[l.name] = Object.assign({ on: cur.on }, diff);
    }
    if (Object.keys(levers).length) body.levers = levers;
    if (Object.keys(S.set).length) body.set = Object.assign({}, S.set);
    return body;
  }

  // ------------------------------------------------------------ URL state
  // #planning=1&planning.intensity=0.5&planning.start=2027&set.habit_time=2&charts=a,b&view=compare&bands=1
  function writeHash() {
    const p = new URLSearchParams();
    for (const l of S.model.levers) {
      const cur = S.levers[l.name];
      if (cur.on !== l.on) p.set(l.name, cur.on ? '1' : '0');
      for (const k of ['intensity', 'start', 'phase_in']) if (cur[k] !== l[k]) p.set(l.name + '.' + k, String(cur[k]));
    }
    for (const [k, v] of Object.entries(S.set)) p.set('set.' + k, String(v));
    if (S.charts.join(',') !== defaultCharts().join(',')) p.set('charts', S.charts.join(','));
    if (S.view !== 'charts') p.set('view', S.view);
    if (S.bands) p.set('bands', '1');
    const hash = p.toString();
    const url = location.pathname + location.search + (hash ? '#' + hash : '');
    if (url !== location.pathname + location.search + location.hash) history.replaceState(null, '', url);
  }

  function readHash() {
    const p = new URLSearchParams(location.hash.replace(/^#/, ''));
    const num = (s) => (s !== null && s.trim() !== '' && isFinite(+s) ? +s : null);
    for (const l of S.model.levers) {
      const cur = (S.levers[l.name] = { on: l.on, intensity: l.intensity, start: l.start, phase_in: l.phase_in });
      if (p.has(l.name)) cur.on = p.get(l.name) === '1' || p.get(l.name) === 'true';
      for (const k of ['intensity', 'start', 'phase_in']) {
        const x = num(p.get(l.name + '.' + k));
        if (x !== null) cur[k] = x;
      }
    }
    S.set = {};
    for (const [k, v] of p.entries())
      if (k.startsWith('set.') && num(v) !== null) S.set[k.slice(4)] = num(v);
    S.charts = p.has('charts') ? p.get('charts').split(',').filter((n) => n && S.model.variables.some((v) => canonical(v.name) === canonical(n))) : defaultCharts();
    if (!S.charts.length) S.charts = defaultCharts();
    S.view = p.get('view') === 'compare' ? 'compare' : 'charts';
    S.bands = p.get('bands') === '1' && S.model.uncertainties.length > 0;
  }

  const defaultCharts = () => S.model.indicators.map((i) => i.name);

  // ------------------------------------------------------------ status
  function status(text, isError) {
    const el = $('status');
    el.textContent = text || '';
    el.classList.toggle('error', !!isError);
  }

  function showError(e) {
    S.error = e;
    const diags = e.body && e.body.diagnostics ? e.body.diagnostics.map((d) => d.text).join('\n') : e.message;
    status(diags, true);
  }

  // ------------------------------------------------------------ levers
  function leverPanel(l) {
    const id = 'lever-' + l.name.replace(/[^A-Za-z0-9_-]/g, '_');
    const fs = document.createElement('fieldset');
    fs.className = 'lever';
    fs.id = id;
    const legend = document.createElement('legend');
    const sw = document.createElement('label');
    sw.className = 'switch';
    const on = document.createElement('input');
    on.type = 'checkbox';
    on.id = id + '-on';
    on.dataset.lever = l.name;
    on.dataset.field = 'on';
    sw.append(on, document.createTextNode(' ' + label(l)));
    legend.append(sw);
    fs.append(legend);
    const meta = document.createElement('p');
    meta.className = 'meta';
    meta.textContent = [l.section, l.name].filter(Boolean).join(' · ');
    fs.append(meta);
    if (l.description) {
      // Folded on a phone, open on a wider screen.
      const det = document.createElement('details');
      det.className = 'desc';
      det.open = !window.matchMedia('(max-width: 760px)').matches;
      const sum = document.createElement('summary');
      sum.textContent = 'What it changes';
      const d = document.createElement('p');
      d.textContent = l.description;
      det.append(sum, d);
      fs.append(det);
    }
    const t = S.model.time;
    const span = t.stop - t.start;
    const fields = [
      ['intensity', 'Intensity', 0, 1, 0.05, (x) => Math.round(x * 100) + ' %'],
      ['start', 'Start', t.start, t.stop, Number.isInteger(l.start - t.start) ? 1 : 'any', (x) => fmtTime(x)],
      ['phase_in', 'Phase-in', 0, Math.max(1, Math.min(20, span)), 0.5, (x) => (x > 0 ? fmt(x) + (t.units ? ' ' + t.units + (x === 1 ? '' : 's') : '') : 'a step')],
    ];
    for (const [key, text, min, max, step, show] of fields) {
      const row = document.createElement('div');
      row.className = 'field';
      const lab = document.createElement('label');
      lab.htmlFor = id + '-' + key;
      lab.textContent = text;
      const input = document.createElement('input');
      input.type = 'range';
      input.id = id + '-' + key;
      input.min = String(min);
      input.max = String(max);
      input.step = String(step);
      input.dataset.lever = l.name;
      input.dataset.field = key;
      const out = document.createElement('output');
      out.htmlFor = input.id;
      out.id = input.id + '-value';
      input.setAttribute('aria-describedby', out.id);
      input._show = show;
      input._out = out;
      row.append(lab, input, out);
      fs.append(row);
    }
    return fs;
  }

  function syncLeverControls() {
    for (const input of document.querySelectorAll('#lever-list input')) {
      const cur = S.levers[input.dataset.lever];
      const f = input.dataset.field;
      if (f === 'on') {
        input.checked = cur.on;
        input.closest('fieldset').classList.toggle('off', !cur.on);
      } else {
        input.value = String(cur[f]);
        input._out.value = input._show(cur[f]);
        input.setAttribute('aria-valuetext', input._show(cur[f]));
      }
    }
    for (const input of document.querySelectorAll('#assumption-list input')) {
      const c = S.model.constants.find((x) => x.name === input.dataset.constant);
      const v = input.dataset.constant in S.set ? S.set[input.dataset.constant] : c.value;
      input.value = String(v);
      input._out.value = fmt(v);
    }
  }

  function onLeverInput(ev) {
    const input = ev.target;
    if (!input.dataset || !input.dataset.lever) return;
    noteInput();
    const cur = S.levers[input.dataset.lever];
    const f = input.dataset.field;
    if (f === 'on') cur.on = input.checked;
    else cur[f] = +input.value;
    syncLeverControls();
    changed();
  }

  function assumptionPanel() {
    const list = $('assumption-list');
    const ranged = S.model.constants.filter((c) => c.range && c.settable);
    if (!ranged.length) return;
    $('assumptions').hidden = false;
    for (const c of ranged) {
      const row = document.createElement('div');
      row.className = 'field';
      const lab = document.createElement('label');
      lab.htmlFor = 'set-' + c.name;
      lab.textContent = label(c) + (unitsOf(c) ? ' (' + unitsOf(c) + ')' : '');
      const input = document.createElement('input');
      input.type = 'range';
      input.id = 'set-' + c.name;
      input.min = String(c.range[0]);
      input.max = String(c.range[1]);
      input.step = 'any';
      input.dataset.constant = c.name;
      const out = document.createElement('output');
      out.htmlFor = input.id;
      input._out = out;
      row.append(lab, input, out);
      list.append(row);
    }
    list.addEventListener('input', (ev) => {
      const name = ev.target.dataset.constant;
      if (!name) return;
      noteInput();
      const c = S.model.constants.find((x) => x.name === name);
      const v = +ev.target.value;
      if (v === c.value) delete S.set[name];
      else S.set[name] = v;
      syncLeverControls();
      changed();
    });
  }

  // ------------------------------------------------------------ runs
  // Performance API: the time from the first input not yet drawn to the
  // frame after the redraw is measured as 'slider-to-redraw'.
  let inputT = null;
  const noteInput = () => {
    if (inputT === null) inputT = performance.now();
  };

  let inflight = false;
  let pending = false;

  function changed() {
    writeHash();
    requestRun();
    if (S.view === 'compare') scheduleCompare();
    if (S.bands) scheduleBands();
  }

  async function requestRun() {
    if (inflight) {
      pending = true;
      return;
    }
    inflight = true;
    pending = false;
    S.busy++;
    const t0 = inputT;
    inputT = null;
    const body = Object.assign(settingsBody(), { vars: S.charts });
    try {
      const a = performance.now();
      const r = await api('/api/run', body);
      performance.measure('api-run', { start: a, end: performance.now() });
      S.current = r;
      S.error = null;
      status(r.warnings && r.warnings.length ? r.warnings.map((w) => w.text).join('\n') : '');
      drawCharts();
      S.runs++;
      if (t0 !== null) {
        requestAnimationFrame(() => {
          performance.measure('slider-to-redraw', { start: t0, end: performance.now() });
        });
      }
    } catch (e) {
      showError(e);
    } finally {
      S.busy--;
      inflight = false;
      if (pending) requestRun();
    }
  }

  async function loadBaseline() {
    S.busy++;
    try {
      S.baseline = await api('/api/run', { vars: S.charts });
    } finally {
      S.busy--;
    }
  }

  // Heavier requests wait until the sliders rest (a waiting call counts as busy).
  function debounce(fn, ms) {
    let t = null;
    return () => {
      if (t === null) S.busy++;
      else clearTimeout(t);
      t = setTimeout(() => {
        t = null;
        S.busy--;
        fn();
      }, ms);
    };
  }

  const scheduleBands = debounce(async () => {
    if (!S.bands) return;
    S.busy++;
    try {
      S.bandData = await api('/api/bands', Object.assign(settingsBody(), { vars: S.charts }));
      drawCharts();
    } catch (e) {
      showError(e);
    } finally {
      S.busy--;
    }
  }, 200);

  // ------------------------------------------------------------ charts
  const W = 480, H = 250, M = { l: 58, r: 22, t: 10, b: 28 };

  function el(name, attrs, parent) {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.append(e);
    return e;
  }

  function pathOf(times, ys, x, y) {
    let d = '';
    let pen = false;
    for (let i = 0; i < times.length; i++) {
      const v = ys[i];
      if (v === null || !isFinite(v)) {
        pen = false;
        continue;
      }
      d += (pen ? 'L' : 'M') + x(times[i]).toFixed(1) + ',' + y(v).toFixed(1);
      pen = true;
    }
    return d;
  }

  function areaOf(times, lo, hi, x, y) {
    if (!times.length) return '';
    let d = 'M' + x(times[0]).toFixed(1) + ',' + y(hi[0]).toFixed(1);
    for (let i = 1; i < times.length; i++) d += 'L' + x(times[i]).toFixed(1) + ',' + y(hi[i]).toFixed(1);
    for (let i = times.length - 1; i >= 0; i--) d += 'L' + x(times[i]).toFixed(1) + ',' + y(lo[i]).toFixed(1);
    return d + 'Z';
  }

  const series = (run, name) => {
    if (!run) return null;
    if (run.variables[name]) return run.variables[name];
    const c = canonical(name);
    const k = Object.keys(run.variables).find((n) => canonical(n) === c);
    return k ? run.variables[k] : null;
  };

  function chartCard(name) {
    const v = variable(name);
    const card = document.createElement('figure');
    card.className = 'chart';
    card.dataset.variable = name;
    const cap = document.createElement('figcaption');
    const h = document.createElement('h3');
    h.textContent = label(v);
    const u = document.createElement('span');
    u.className = 'units';
    u.textContent = unitsOf(v) ? unitsOf(v) : '';
    const rm = document.createElement('button');
    rm.type = 'button';
    rm.className = 'remove';
    rm.textContent = '×';
    rm.title = 'Remove this chart';
    rm.setAttribute('aria-label', 'Remove the chart of ' + label(v));
    rm.addEventListener('click', () => {
      S.charts = S.charts.filter((n) => n !== name);
      layoutCharts();
      writeHash();
    });
    cap.append(h, u, rm);
    const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'plot' });
    const readout = document.createElement('p');
    readout.className = 'readout';
    const details = document.createElement('details');
    const sum = document.createElement('summary');
    sum.textContent = 'Data table';
    details.append(sum);
    details.addEventListener('toggle', () => details.open && fillTable(details, name));
    card.append(cap, svg, readout, details);
    return card;
  }

  function fillTable(details, name) {
    const old = details.querySelector('table');
    if (old) old.remove();
    if (!S.current) return;
    const t = document.createElement('table');
    t.className = 'data small';
    const head = t.createTHead().insertRow();
    for (const h of [S.model.time.units || 'time', 'baseline', 'current']) {
      const th = document.createElement('th');
      th.textContent = h;
      th.scope = 'col';
      head.append(th);
    }
    const b = series(S.baseline, name) || [];
    const c = series(S.current, name) || [];
    const body = t.createTBody();
    S.current.time.forEach((time, i) => {
      const row = body.insertRow();
      row.insertCell().textContent = fmtTime(time);
      for (const x of [b[i], c[i]]) {
        const td = row.insertCell();
        td.textContent = fmt6(x);
        td.className = 'num';
      }
    });
    details.append(t);
  }

  function drawChart(card) {
    const name = card.dataset.variable;
    const v = variable(name);
    const k = scaleOf(v);
    const svg = card.querySelector('svg');
    const run = S.current || S.baseline;
    if (!run) return;
    const times = run.time;
    const base = series(S.baseline, name);
    const cur = series(S.current, name);
    const band = S.bands && S.bandData && S.bandData.bands ? S.bandData.bands[name] || S.bandData.bands[Object.keys(S.bandData.bands).find((n) => canonical(n) === canonical(name))] : null;
    const scaled = (a) => (a ? a.map((x) => (x === null ? null : x * k)) : null);
    const b = scaled(base), c = scaled(cur);
    let lo = Infinity, hi = -Infinity;
    for (const arr of [b, c, band && scaled(band.p5), band && scaled(band.p95)])
      if (arr) for (const x of arr) if (x !== null && isFinite(x)) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (lo > 0 && lo < (hi - lo) * 0.5) lo = 0;  // include 0 when it costs little
    const yt = ticks(lo, hi, 5);
    const y0 = yt[0], y1 = yt[yt.length - 1];
    const t0 = times[0], t1 = times[times.length - 1];
    const x = (t) => M.l + ((t - t0) / (t1 - t0 || 1)) * (W - M.l - M.r);
    const y = (val) => H - M.b - ((val - y0) / (y1 - y0 || 1)) * (H - M.t - M.b);
    svg.textContent = '';
    const unit = unitsOf(v);
    el('title', {}, svg).textContent = label(v) + (unit ? ' (' + unit + ')' : '') + ' over ' + (S.model.time.units || 'time');
    const grid = el('g', { class: 'grid' }, svg);
    for (const tv of yt) {
      el('line', { x1: M.l, x2: W - M.r, y1: y(tv), y2: y(tv) }, grid);
      el('text', { x: M.l - 6, y: y(tv) + 4, class: 'ytick' }, grid).textContent = fmtAxis(tv);
    }
    const xt = ticks(t0, t1, 6).filter((t) => t >= t0 && t <= t1);
    for (const tv of xt) {
      el('line', { x1: x(tv), x2: x(tv), y1: H - M.b, y2: H - M.b + 4, class: 'tick' }, grid);
      el('text', { x: x(tv), y: H - M.b + 17, class: 'xtick' }, grid).textContent = String(+tv.toPrecision(10));
    }
    el('line', { x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b, class: 'axis' }, svg);
    if (band) {
      el('path', { d: areaOf(times, scaled(band.p5), scaled(band.p95), x, y), class: 'band-outer' }, svg);
      el('path', { d: areaOf(times, scaled(band.p25), scaled(band.p75), x, y), class: 'band-inner' }, svg);
    }
    if (b) el('path', { d: pathOf(times, b, x, y), class: 'baseline', 'data-series': 'baseline' }, svg);
    if (c) el('path', { d: pathOf(times, c, x, y), class: 'current', 'data-series': 'current' }, svg);
    // Marker on the last point of each series: shape tells them apart too.
    const last = times.length - 1;
    if (b && isFinite(b[last])) el('rect', { x: x(t1) - 3.5, y: y(b[last]) - 3.5, width: 7, height: 7, class: 'baseline-mark' }, svg);
    if (c && isFinite(c[last])) el('circle', { cx: x(t1), cy: y(c[last]), r: 4, class: 'current-mark' }, svg);
    const readout = card.querySelector('.readout');
    if (b && c) {
      const diff = c[last] - b[last];
      const rel = b[last] !== 0 ? ' (' + (diff >= 0 ? '+' : '') + ((diff / Math.abs(b[last])) * 100).toFixed(1) + ' %)' : '';
      readout.textContent = fmtTime(t1) + ': ' + fmt(c[last]) + ' now, ' + fmt(b[last]) + ' baseline, ' + fmtSigned(diff) + rel;
    } else if (b) {
      readout.textContent = fmtTime(t1) + ': ' + fmt(b[last]);
    }
    svg.setAttribute('aria-label', label(v) + ': ' + readout.textContent);
    const details = card.querySelector('details');
    if (details.open) fillTable(details, name);
  }

  function drawCharts() {
    for (const card of document.querySelectorAll('#chart-grid .chart')) drawChart(card);
  }

  async function layoutCharts() {
    const grid = $('chart-grid');
    grid.textContent = '';
    for (const name of S.charts) grid.append(chartCard(name));
    try {
      await loadBaseline();
      drawCharts();
      await requestRun();
      if (S.bands) scheduleBands();
    } catch (e) {
      showError(e);
    }
  }

  // ------------------------------------------------------------ compare
  const scheduleCompare = debounce(() => runCompare(), 300);

  async function runCompare() {
    const n = S.model.levers.length;
    $('compare-hint').textContent = n
      ? 'Every combination of the ' + n + ' levers (' + Math.pow(2, n) + ' runs), switched on and off on top of the current settings (intensity, start, phase-in).'
      : 'The model declares no levers.';
    if (!n) return;
    S.busy++;
    try {
      S.compareData = await api('/api/compare', settingsBody());
      fillCompareSelectors();
      drawCompare();
    } catch (e) {
      showError(e);
    } finally {
      S.busy--;
    }
  }

  function fillCompareSelectors() {
    const c = S.compareData;
    const by = $('rank-by'), at = $('rank-at');
    const keepBy = by.value, keepAt = at.value;
    by.textContent = '';
    c.indicators.forEach((ind, i) => {
      const o = document.createElement('option');
      o.value = String(i);
      o.textContent = label(ind) + (ind.lower_is_better ? ' (lower is better)' : '');
      by.append(o);
    });
    at.textContent = '';
    c.at.forEach((t, i) => {
      const o = document.createElement('option');
      o.value = String(i);
      o.textContent = fmtTime(t);
      at.append(o);
    });
    by.value = keepBy && +keepBy < c.indicators.length ? keepBy : '0';
    at.value = keepAt && +keepAt < c.at.length ? keepAt : String(c.at.length - 1);
  }

  function drawCompare() {
    const c = S.compareData;
    if (!c) return;
    const bi = +$('rank-by').value || 0;
    const ai = $('rank-at').value === '' ? c.at.length - 1 : +$('rank-at').value;
    const sign = c.indicators[bi].lower_is_better ? -1 : 1;
    // As `sdsim compare`: a stable sort in mask order, best first.
    const order = c.combinations.slice().sort((p, q) => sign * q.values[bi][ai] - sign * p.values[bi][ai]);
    const currentMask = c.levers.reduce((m, name, i) => (S.levers[name] && S.levers[name].on ? m | (1 << i) : m), 0);
    const t = $('ranked');
    t.textContent = '';
    const cap = t.createCaption();
    cap.textContent = 'Ranked by ' + label(c.indicators[bi]) + ' at ' + fmtTime(c.at[ai]) + ' (' + (sign < 0 ? 'lower' : 'higher') + ' is better); \u25CF = lever on. "Apply" sets the levers to that combination.';
    const head = t.createTHead().insertRow();
    const th = (text, cls, title) => {
      const h = document.createElement('th');
      h.scope = 'col';
      h.textContent = text;
      if (cls) h.className = cls;
      if (title) h.title = title;
      head.append(h);
    };
    th('Rank');
    c.levers.forEach((name, i) => th(name, 'lever-col', c.lever_titles[i] || name));
    c.indicators.forEach((ind) => th(label(ind) + (unitsOf(ind) ? ' (' + unitsOf(ind) + ')' : '')));
    if (c.cost) th(c.cost.name + (c.cost.units ? ' (' + c.cost.units + ')' : ''));
    th('');
    const body = t.createTBody();
    order.forEach((comb, rank) => {
      const row = body.insertRow();
      if (comb.mask === currentMask) row.className = 'current-row';
      row.insertCell().textContent = String(rank + 1);
      comb.on.forEach((on, i) => {
        const td = row.insertCell();
        td.className = 'lever-col';
        td.textContent = on ? '\u25CF' : '\u00B7';
        td.setAttribute('aria-label', c.levers[i] + (on ? ' on' : ' off'));
      });
      c.indicators.forEach((_, i) => {
        const td = row.insertCell();
        td.textContent = fmt6(comb.values[i][ai]);
        td.className = 'num';
      });
      if (c.cost) {
        const td = row.insertCell();
        td.textContent = fmt6(comb.cost[ai]);
        td.className = 'num';
      }
      const btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'apply';
      btn.textContent = 'Apply';
      btn.setAttribute('aria-label', 'Apply ' + (comb.label === 'baseline' ? 'no lever (the baseline)' : comb.label.split('+').join(' + ')));
      btn.addEventListener('click', () => applyCombination(comb));
      row.insertCell().append(btn);
    });

    const e = c.effects.find((x) => canonical(x.indicator) === canonical(c.indicators[bi].name) && x.at === c.at[ai]);
    const et = $('effects');
    et.textContent = '';
    $('effects-heading').textContent = 'Main effects and Shapley shares: ' + label(c.indicators[bi]) + ' at ' + fmtTime(c.at[ai]);
    if (!e) return;
    const ecap = et.createCaption();
    ecap.textContent = 'Baseline ' + fmt6(e.baseline) + '; all levers together change it by ' + fmtSigned(e.all_levers_effect, fmt6) + '.';
    const eh = et.createTHead().insertRow();
    for (const h of ['Lever', 'Main effect', 'Shapley share', 'Share of the all-levers effect']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = h;
      eh.append(th);
    }
    const eb = et.createTBody();
    const maxAbs = Math.max(1e-300, ...e.shapley.map(Math.abs));
    c.levers.forEach((name, i) => {
      const row = eb.insertRow();
      row.insertCell().textContent = c.lever_titles[i] || name;
      const m = row.insertCell();
      m.textContent = fmtSigned(e.main[i], fmt6);
      m.className = 'num';
      const s = row.insertCell();
      s.className = 'num';
      const bar = el('svg', { width: 60, height: 10, class: 'bar', 'aria-hidden': 'true' });
      const w = (Math.abs(e.shapley[i]) / maxAbs) * 28;
      el('rect', { x: e.shapley[i] >= 0 ? 30 : 30 - w, y: 1, width: w, height: 8, class: e.shapley[i] >= 0 ? 'pos' : 'neg' }, bar);
      el('line', { x1: 30, x2: 30, y1: 0, y2: 10, class: 'zero' }, bar);
      s.append(bar, document.createTextNode(' ' + fmtSigned(e.shapley[i], fmt6)));
      const p = row.insertCell();
      p.className = 'num';
      p.textContent = e.all_levers_effect !== 0 ? ((e.shapley[i] / e.all_levers_effect) * 100).toFixed(1) + ' %' : '–';
    });
  }

  function applyCombination(comb) {
    noteInput();
    S.compareData.levers.forEach((name, i) => {
      if (S.levers[name]) S.levers[name].on = comb.on[i];
    });
    syncLeverControls();
    writeHash();
    requestRun();
    drawCompare();
    if (S.bands) scheduleBands();
  }

  // ------------------------------------------------------------ views
  function setView(view, focus) {
    S.view = view;
    const charts = view === 'charts';
    $('tab-charts').setAttribute('aria-selected', String(charts));
    $('tab-compare').setAttribute('aria-selected', String(!charts));
    $('tab-charts').tabIndex = charts ? 0 : -1;
    $('tab-compare').tabIndex = charts ? -1 : 0;
    $('charts').hidden = !charts;
    $('compare').hidden = charts;
    if (focus) (charts ? $('tab-charts') : $('tab-compare')).focus();
    if (!charts) runCompare();
    writeHash();
  }

  function wireTabs() {
    $('tab-charts').addEventListener('click', () => setView('charts'));
    $('tab-compare').addEventListener('click', () => setView('compare'));
    for (const tab of [$('tab-charts'), $('tab-compare')])
      tab.addEventListener('keydown', (ev) => {
        if (['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(ev.key)) {
          ev.preventDefault();
          setView(tab.id === 'tab-charts' ? 'compare' : 'charts', true);
        }
      });
    $('rank-by').addEventListener('change', drawCompare);
    $('rank-at').addEventListener('change', drawCompare);
    $('compare-run').addEventListener('click', runCompare);
  }

  // ------------------------------------------------------------ actions
  async function csvText() {
    return api('/api/run', Object.assign(settingsBody(), { format: 'csv' }));
  }

  async function download() {
    try {
      const text = await csvText();
      const blob = new Blob([text], { type: 'text/csv' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      const base = (S.model.scenario ? S.model.scenario.name : S.model.name) || 'run';
      a.download = base.replace(/[^A-Za-z0-9_.-]+/g, '-') + '-dashboard.csv';
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      status('Downloaded ' + a.download + ' (every variable of the current run).');
    } catch (e) {
      showError(e);
    }
  }

  function wireActions() {
    $('download').addEventListener('click', download);
    $('reset').addEventListener('click', () => {
      noteInput();
      for (const l of S.model.levers) S.levers[l.name] = { on: l.on, intensity: l.intensity, start: l.start, phase_in: l.phase_in };
      S.set = {};
      syncLeverControls();
      changed();
    });
    $('copy-link').addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(location.href);
        status('Link copied: it opens this view with these lever settings.');
      } catch (e) {
        status('Copy this address to share the view: ' + location.href);
      }
    });
    $('add-chart').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const name = $('add-chart-var').value.trim();
      const v = S.model.variables.find((x) => canonical(x.name) === canonical(name));
      if (!v) {
        status('The model has no variable "' + name + '".', true);
        return;
      }
      if (!S.charts.some((n) => canonical(n) === canonical(v.name))) S.charts.push(v.name);
      $('add-chart-var').value = '';
      writeHash();
      layoutCharts();
    });
    $('bands').addEventListener('change', (ev) => {
      S.bands = ev.target.checked;
      $('band-key').hidden = !S.bands;
      writeHash();
      if (S.bands) scheduleBands();
      else drawCharts();
    });
    window.addEventListener('hashchange', () => {
      readHash();
      syncLeverControls();
      $('bands').checked = S.bands;
      $('band-key').hidden = !S.bands;
      layoutCharts();
      setView(S.view);
    });
  }

  // ------------------------------------------------------------ start
  async function start() {
    try {
      S.model = await api('/api/model');
    } catch (e) {
      $('title').textContent = 'The dashboard could not load the model';
      showError(e);
      return;
    }
    const m = S.model;
    const name = m.scenario ? m.scenario.name : m.name;
    document.title = name + ' · sdsim dashboard';
    $('title').textContent = m.scenario ? m.scenario.name : m.name || m.file;
    $('subtitle').textContent = (m.scenario ? 'scenario of ' + (m.name || m.file) + ' · ' : '') +
      fmtTime(m.time.start) + '–' + fmtTime(m.time.stop) + (m.time.units ? ' (' + m.time.units + 's)' : '') + ' · ' + m.time.method;
    $('foot-model').textContent = m.scenario ? m.scenario.file : m.file;
    readHash();
    const list = $('lever-list');
    if (!m.levers.length) $('levers-hint').textContent = 'This model declares no levers (add a `levers:` section).';
    for (const l of m.levers) list.append(leverPanel(l));
    list.addEventListener('input', onLeverInput);  // checkboxes fire 'input' too
    assumptionPanel();
    const dl = $('variable-names');
    for (const v of m.variables) {
      const o = document.createElement('option');
      o.value = v.name;
      dl.append(o);
    }
    if (m.uncertainties.length) {
      $('bands-toggle').hidden = false;
      $('bands').checked = S.bands;
      $('band-key').hidden = !S.bands;
    }
    syncLeverControls();
    wireTabs();
    wireActions();
    await layoutCharts();
    setView(S.view);
    writeHash();
  }

  // For scripts and tests: the state, the last answers, and whether the
  // page is waiting for the server.
  window.dashboard = {
    state: S,
    get current() { return S.current; },
    get baseline() { return S.baseline; },
    get runs() { return S.runs; },
    idle: () => S.busy === 0 && !inflight && !pending,
    settings: settingsBody,
    csv: csvText,
    ready: null,
  };
  window.dashboard.ready = document.readyState === 'loading'
    ? new Promise((res) => document.addEventListener('DOMContentLoaded', () => start().then(res)))
    : start();
})();
