// The console's frame: which page the address names (#status, #chat, #jobs)
// and, when the gateway has API keys, asking for one first. The key lives in
// this tab's session storage only: closing the tab forgets it.

import { api, storedKey, storeKey } from './lib.js';
import { startStatus, stopStatus } from './status.js';
import { loadModels } from './chat.js';
import { loadJobs } from './jobs.js';

const $ = (id) => document.getElementById(id);
const PAGES = ['status', 'chat', 'jobs'];

function show(page) {
  for (const p of PAGES) {
    $('page-' + p).hidden = p !== page;
    if (p === page) $('nav-' + p).setAttribute('aria-current', 'page');
    else $('nav-' + p).removeAttribute('aria-current');
  }
  if (page === 'status') startStatus();
  else stopStatus();
  if (page === 'chat') loadModels();
  if (page === 'jobs') loadJobs();
}

function route() {
  const page = location.hash.slice(1);
  show(PAGES.includes(page) ? page : 'status');
}

function askForKey(message) {
  stopStatus();
  for (const p of PAGES) $('page-' + p).hidden = true;
  $('key-form').hidden = false;
  $('key-error').textContent = message || '';
  $('forget-key').hidden = true;
  $('key-input').focus();
}

// 401 without a key: the gateway has keys and this tab has none yet. Any
// other answer (even 403: the key may not list models) lets the pages in.
async function start() {
  const probe = await api('/v1/models');
  if (probe.status === 401) {
    askForKey(storedKey() ? probe.message : '');
    return;
  }
  $('key-form').hidden = true;
  $('forget-key').hidden = !storedKey();
  route();
}

$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  storeKey($('key-input').value.trim());
  $('key-input').value = '';
  start();
});

$('forget-key').addEventListener('click', () => {
  storeKey('');
  start();
});

document.addEventListener('edgeai:unauthorized', (e) => {
  if ($('key-form').hidden) askForKey(e.detail);
});
window.addEventListener('hashchange', () => {
  if ($('key-form').hidden) route();
});

start();
