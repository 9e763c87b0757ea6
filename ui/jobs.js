// The durable jobs page: GET /v1/jobs (newest first, the key's own jobs
// unless it is an admin key) and DELETE /v1/jobs/{id} to cancel one.

import { api, el, fill, table, formatTime } from './lib.js';

const $ = (id) => document.getElementById(id);

export async function loadJobs() {
  const status = $('jobs-status').value;
  const answer = await api('/v1/jobs?limit=50' + (status ? '&status=' + status : ''));
  $('jobs-error').textContent = answer.ok ? '' : answer.message;
  if (!answer.ok) return fill($('jobs-list'));
  const jobs = answer.data.data;
  if (!jobs.length) return fill($('jobs-list'), el('p', {}, 'No jobs.'));
  const rows = jobs.map((j) => [
    j.id, j.status, j.model || '', j.endpoint, formatTime(j.created_at), String(j.attempts),
    j.last_error || '',
    j.status === 'queued' || j.status === 'running'
      ? cancelButton(j.id) : '',
  ]);
  fill($('jobs-list'), table('Durable jobs',
    ['Id', 'Status', 'Model', 'Endpoint', 'Created', 'Attempts', 'Last error', ''], rows));
}

function cancelButton(id) {
  const button = el('button', { type: 'button', 'aria-label': 'Cancel job ' + id }, 'Cancel');
  button.addEventListener('click', async () => {
    const answer = await api('/v1/jobs/' + encodeURIComponent(id), { method: 'DELETE' });
    if (!answer.ok) $('jobs-error').textContent = answer.message;
    loadJobs();
  });
  return button;
}

$('jobs-refresh').addEventListener('click', loadJobs);
$('jobs-status').addEventListener('change', loadJobs);
