// The buyer page's live updates: the server sends the parcel section again (Server-Sent Events)
// whenever what it shows changes; this swaps it in. Same origin, no other script, no library.
(function () {
  'use strict';
  var parcel = document.getElementById('parcel');
  if (!parcel || !window.EventSource) return;
  function listen() {
    var source = new EventSource(parcel.getAttribute('data-events'));
    source.addEventListener('parcel', function (event) {
      var box = document.createElement('div');
      box.innerHTML = event.data;
      var fresh = box.querySelector('#parcel');
      if (!fresh) return;
      parcel.replaceWith(fresh);
      parcel = fresh;
    });
    // The browser retries a dropped stream by itself, but not a refused one (too many open): try again later.
    source.addEventListener('error', function () {
      if (source.readyState === EventSource.CLOSED) setTimeout(listen, 30000);
    });
  }
  listen();
})();
