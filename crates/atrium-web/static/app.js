// Atrium progressive enhancement: pages work without this file.
// Asks for confirmation before submitting forms marked data-confirm.
document.addEventListener('submit', function (e) {
  var msg = e.target.getAttribute && e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});

// Plan table: click a cell marked data-edit to change it in place through the JSON API
// (PATCH with the session's CSRF token); the page reloads to show the re-scheduled plan.
// Without JavaScript the task's edit form does the same.
document.addEventListener('click', function (e) {
  var cell = e.target.closest && e.target.closest('td[data-edit]');
  if (!cell || cell.querySelector('input')) { return; }
  var table = cell.closest('table[data-project]');
  var row = cell.closest('tr[id^="task-"]');
  if (!table || !row) { return; }
  var field = cell.getAttribute('data-edit');
  var old = cell.textContent.trim();
  var input = document.createElement('input');
  input.value = field === 'percent_complete' ? old.replace('%', '') : old;
  input.setAttribute('aria-label', field.replace('_', ' '));
  input.className = 'inline-edit';
  cell.textContent = '';
  cell.appendChild(input);
  input.focus();
  var done = false;
  function restore() { if (!done) { done = true; cell.textContent = old; } }
  function save() {
    if (done) { return; }
    done = true;
    var body = { version: parseInt(table.getAttribute('data-version'), 10) };
    body[field] = input.value;
    var uid = row.id.substring(5);
    fetch('/api/v1/projects/' + table.getAttribute('data-project') + '/plan/tasks/' + uid, {
      method: 'PATCH', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': table.getAttribute('data-csrf') },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (r.ok) { window.location.hash = row.id; window.location.reload(); return; }
      return r.json().then(function (p) {
        var msg = (p.errors && p.errors.length) ? p.errors.map(function (x) { return x.message; }).join('; ') : (p.detail || p.title);
        done = false;
        var err = cell.querySelector('.error') || document.createElement('p');
        err.className = 'error diag';
        err.setAttribute('role', 'alert');
        err.textContent = msg;
        cell.appendChild(err);
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      });
    });
  }
  input.addEventListener('keydown', function (k) {
    if (k.key === 'Enter') { k.preventDefault(); save(); }
    if (k.key === 'Escape') { restore(); }
  });
});
