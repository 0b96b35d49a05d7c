// Tells the server which time zone this browser is in (cookie "aeyia_tz"), so booking
// times are shown in it to people who have not chosen a zone. No reload: until the
// cookie is set, pages name the zone they use (the practitioner's).
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) {
    return;
  }
  var pair = "aeyia_tz=" + zone;
  if (document.cookie.split("; ").indexOf(pair) !== -1) {
    return;
  }
  var secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = pair + "; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
})();
