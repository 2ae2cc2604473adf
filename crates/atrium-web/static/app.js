// Atrium progressive enhancement: pages work without this file.
// Asks for confirmation before submitting forms marked data-confirm.
document.addEventListener('submit', function (e) {
  var msg = e.target.getAttribute && e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});
