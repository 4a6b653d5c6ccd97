// The dashboard's pages: each reads the REST API of this service (the ham_token cookie authenticates it) and draws
// with ECharts. The charts are kept in window.hamCharts so that a test can read what was drawn.
'use strict';

window.hamCharts = {};

const pct = v => (v === null || v === undefined) ? '–' : (100 * v).toFixed(2) + ' %';

function showError(message) {
  const e = document.getElementById('error');
  e.textContent = message;
  e.hidden = false;
}

/** GET of a REST path as JSON; 401/403 shows the token notice, another error its message. */
async function api(path) {
  const response = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (response.status === 401 || response.status === 403) {
    document.getElementById('auth').hidden = false;
    throw new Error('not authorised');
  }
  if (!response.ok) {
    let message = response.status + ' ' + response.statusText;
    try { message = (await response.json()).error || message; } catch (ignored) { /* not JSON */ }
    showError(path + ': ' + message);
    throw new Error(message);
  }
  return response.json();
}

function cell(row, text, numeric) {
  const td = document.createElement('td');
  td.textContent = text;
  if (numeric) td.className = 'num';
  row.appendChild(td);
  return td;
}

function jobLink(id) {
  const a = document.createElement('a');
  a.href = '/dashboard/jobs/' + encodeURIComponent(id);
  a.textContent = id;
  return a;
}

function chart(id) {
  const c = echarts.init(document.getElementById(id), null, { renderer: 'canvas' });
  window.addEventListener('resize', () => c.resize());
  return c;
}

const percentAxis = { type: 'value', min: 0, max: 1, axisLabel: { formatter: v => Math.round(100 * v) + ' %' } };
const percentTooltip = { trigger: 'axis', valueFormatter: pct };

// ---------------------------------------------------------------- jobs

async function jobsPage() {
  const jobs = await api('/results/jobs');
  const table = document.getElementById('jobs');
  const body = table.tBodies[0];
  const ticked = new Set();
  const button = document.getElementById('compare');
  let sort = { key: 'job_id', asc: true };

  function render() {
    const sorted = [...jobs].sort((a, b) => {
      const x = a[sort.key], y = b[sort.key];
      const order = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y));
      return sort.asc ? order : -order;
    });
    body.replaceChildren();
    for (const j of sorted) {
      const tr = document.createElement('tr');
      tr.dataset.job = j.job_id;
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = ticked.has(j.job_id);
      box.addEventListener('change', () => {
        box.checked ? ticked.add(j.job_id) : ticked.delete(j.job_id);
        button.disabled = ticked.size < 2;
      });
      cell(tr, '').appendChild(box);
      cell(tr, '').appendChild(jobLink(j.job_id));
      cell(tr, j.method);
      cell(tr, j.model);
      cell(tr, j.dataset);
      cell(tr, String(j.epochs), true);
      cell(tr, j.attack);
      cell(tr, pct(j.clean_average), true);
      cell(tr, pct(j.robust_average), true).dataset.value = j.robust_average;
      cell(tr, pct(j.robust_worst), true).dataset.value = j.robust_worst;
      cell(tr, j.worst_class);
      body.appendChild(tr);
    }
    for (const th of table.tHead.rows[0].cells) {
      th.classList.toggle('sorted-asc', th.dataset.key === sort.key && sort.asc);
      th.classList.toggle('sorted-desc', th.dataset.key === sort.key && !sort.asc);
    }
  }

  for (const th of table.tHead.rows[0].cells) {
    if (!th.dataset.key) continue;
    th.addEventListener('click', () => {
      sort = { key: th.dataset.key, asc: sort.key === th.dataset.key ? !sort.asc : true };
      render();
    });
  }
  button.addEventListener('click', () => {
    location.href = '/dashboard/compare?jobs=' + [...ticked].map(encodeURIComponent).join(',');
  });
  render();
}

// ---------------------------------------------------------------- one job

/** The evaluated rows of a job, by epoch (rejected checkpoints have no numbers to draw). */
async function evaluatedRows(job) {
  const rows = await api('/results?job=' + encodeURIComponent(job));
  return rows.filter(r => r.status === 'EVALUATED' && r.result).sort((a, b) => a.epoch - b.epoch);
}

async function jobPage() {
  const job = document.body.dataset.job;
  const rows = await evaluatedRows(job);
  if (rows.length === 0) {
    showError('job ' + job + ' has no evaluated checkpoint (yet)');
    return;
  }
  const latest = rows[rows.length - 1].result;
  document.getElementById('summary').textContent = latest.method + ' · ' + latest.model + ' · ' + latest.dataset
    + ' · eps ' + latest.eps + ' · ' + rows.length + ' evaluated epoch(s); headline attack ' + latest.attack;

  const epochs = rows.map(r => r.epoch);
  const attacks = Object.keys(latest.robust_by_attack);
  const series = [
    { name: 'clean avg', data: rows.map(r => r.result.clean_accuracy.average) },
    { name: 'clean worst', data: rows.map(r => r.result.clean_accuracy.worst) },
  ];
  for (const a of attacks) {
    const of = r => r.result.robust_by_attack[a];
    series.push({ name: a + ' avg', data: rows.map(r => of(r) ? of(r).average : null) });
    series.push({ name: a + ' worst', data: rows.map(r => of(r) ? of(r).worst : null), lineStyle: { type: 'dashed' } });
  }
  const curves = chart('curves');
  curves.setOption({
    tooltip: percentTooltip, legend: { type: 'scroll' },
    xAxis: { type: 'category', name: 'epoch', data: epochs.map(String) }, yAxis: percentAxis,
    series: series.map(s => ({ ...s, type: 'line', connectNulls: true })),
  });
  window.hamCharts.curves = curves;

  const select = document.getElementById('epoch');
  for (const e of epochs) {
    const o = document.createElement('option');
    o.value = o.textContent = String(e);
    select.appendChild(o);
  }
  select.value = String(epochs[epochs.length - 1]);
  const bars = chart('bars');
  window.hamCharts.bars = bars;
  const over = chart('overconfident');
  window.hamCharts.overconfident = over;

  function drawEpoch() {
    const row = rows.find(r => String(r.epoch) === select.value);
    const r = row.result;
    const links = document.getElementById('links');
    links.replaceChildren();
    const card = document.createElement('a');
    card.href = '/results/' + encodeURIComponent(job) + '/' + row.epoch + '/card';
    card.textContent = 'model card';
    links.append(card, ' · checkpoint ');
    const key = document.createElement('code');
    key.id = 'checkpoint';
    key.textContent = row.checkpoint_key + ' (sha256 ' + row.sha256.substring(0, 12) + '…)';
    links.appendChild(key);
    // the evaluation's failed sanity checks, one line under the links, only when there are any
    const warnings = r.warnings || [];
    let note = document.getElementById('warnings');
    if (!note) {
      note = document.createElement('p');
      note.id = 'warnings';
      note.className = 'warnings';
      links.after(note);
    }
    note.hidden = warnings.length === 0;
    note.textContent = warnings.length === 0 ? '' : '⚠ ' + warnings.join(' ');
    note.title = warnings.join('\n');
    bars.setOption({
      tooltip: percentTooltip, legend: {},
      xAxis: { type: 'category', data: r.classes, axisLabel: { interval: 0, rotate: 30 } }, yAxis: percentAxis,
      series: [{ name: 'clean', type: 'bar', data: r.clean_accuracy.per_class }].concat(
        Object.entries(r.robust_by_attack).map(([a, acc]) => ({ name: a, type: 'bar', data: acc.per_class }))),
    }, true);
    const shares = r.over_confident || {};
    document.getElementById('overconfident-section').hidden = Object.keys(shares).length === 0;
    over.setOption({
      tooltip: percentTooltip, legend: {},
      // shares are small: the axis fits them rather than running to 100 %
      xAxis: { type: 'category', data: r.classes, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { ...percentAxis, max: null },
      series: Object.entries(shares).map(([a, s]) => ({ name: a, type: 'bar', data: s })),
    }, true);
    over.resize();
  }
  select.addEventListener('change', drawEpoch);
  drawEpoch();
}

// ---------------------------------------------------------------- compare

async function comparePage() {
  const base = document.body.dataset.base;
  const jobs = [...document.querySelectorAll('#compared li')].map(li => li.dataset.job);
  const byJob = {};
  for (const j of jobs) {
    byJob[j] = await evaluatedRows(j);
    if (byJob[j].length === 0) {
      showError('job ' + j + ' has no evaluated checkpoint (yet)');
      return;
    }
  }
  const tbody = document.querySelector('#rho tbody');
  for (const j of jobs.filter(j => j !== base)) {
    const c = await api('/results/compare?base=' + encodeURIComponent(base) + '&candidate=' + encodeURIComponent(j));
    const tr = document.createElement('tr');
    tr.dataset.job = j;
    cell(tr, '').appendChild(jobLink(j));
    cell(tr, c.attack);
    const rho = cell(tr, c.rho === null ? '–' : c.rho.toFixed(4), true);
    rho.className += ' rho';
    rho.dataset.value = c.rho;
    const rhoClean = cell(tr, c.rho_clean === null ? '–' : c.rho_clean.toFixed(4), true);
    rhoClean.className += ' rho-clean';
    rhoClean.dataset.value = c.rho_clean;
    cell(tr, c.note || '');
    tbody.appendChild(tr);
  }

  const latest = j => byJob[j][byJob[j].length - 1].result;
  const bars = chart('bars');
  bars.setOption({
    tooltip: percentTooltip, legend: {},
    xAxis: { type: 'category', data: latest(base).classes, axisLabel: { interval: 0, rotate: 30 } }, yAxis: percentAxis,
    series: jobs.map(j => ({ name: j + ' (' + latest(j).attack + ')', type: 'bar', data: latest(j).robust_accuracy.per_class })),
  });
  window.hamCharts.bars = bars;
  const curves = chart('curves');
  curves.setOption({
    tooltip: { trigger: 'item', valueFormatter: pct }, legend: {},
    xAxis: { type: 'value', name: 'epoch', minInterval: 1 }, yAxis: percentAxis,
    series: jobs.map(j => ({ name: j, type: 'line', data: byJob[j].map(r => [r.epoch, r.robust_worst]) })),
  });
  window.hamCharts.curves = curves;
}

// ---------------------------------------------------------------- live

function livePage() {
  const status = document.getElementById('status');
  const source = new EventSource('/dashboard/events');
  source.onopen = () => { status.textContent = 'connected'; };
  source.onerror = () => {
    // the browser retries by itself; a missing token shows as an error before any open
    status.textContent = 'disconnected (retrying; a token may be missing)';
    document.getElementById('auth').hidden = false;
  };
  source.onmessage = message => {
    const e = JSON.parse(message.data);
    status.textContent = 'connected';
    if (e.type === 'heartbeat') return;
    const tr = document.createElement('tr');
    tr.className = 'fresh';
    tr.dataset.job = e.job_id;
    tr.dataset.epoch = e.epoch;
    cell(tr, '').appendChild(jobLink(e.job_id));
    cell(tr, String(e.epoch), true);
    if (e.type === 'result') {
      cell(tr, e.method);
      cell(tr, e.attack);
      cell(tr, pct(e.clean_average), true);
      cell(tr, pct(e.robust_average), true);
      cell(tr, pct(e.robust_worst), true).dataset.value = e.robust_worst;
      cell(tr, e.worst_class);
      cell(tr, e.at);
      document.querySelector('#results tbody').prepend(tr);
    } else {
      cell(tr, String(e.step), true);
      cell(tr, e.state);
      cell(tr, e.loss.toFixed(4), true);
      cell(tr, pct(e.drop_rate), true);
      cell(tr, e.examples_per_second.toFixed(1), true);
      cell(tr, e.at || '');
      const body = document.querySelector('#progress tbody');
      body.prepend(tr);
      while (body.rows.length > 200) body.deleteRow(-1);
    }
  };
}

// ---------------------------------------------------------------- token

function tokenPage() {
  const area = document.getElementById('token');
  document.getElementById('token-form').addEventListener('submit', event => {
    event.preventDefault();
    const token = area.value.trim().replace(/^Bearer\s+/i, '');
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
      showError('that is not a JWT (three base64url parts separated by dots)');
      return;
    }
    const secure = location.protocol === 'https:' ? '; Secure' : '';
    document.cookie = 'ham_token=' + token + '; path=/; SameSite=Strict' + secure;
    location.href = '/dashboard';
  });
  document.getElementById('forget').addEventListener('click', () => {
    document.cookie = 'ham_token=; path=/; max-age=0; SameSite=Strict';
    area.value = '';
  });
}

const pages = { jobs: jobsPage, job: jobPage, compare: comparePage, live: livePage, token: tokenPage };
document.addEventListener('DOMContentLoaded', async () => {
  try {
    await pages[document.body.dataset.page]();
    document.body.dataset.ready = 'true';
  } catch (e) {
    document.body.dataset.ready = 'failed';
    if (e.message !== 'not authorised') console.error(e);
  }
});
