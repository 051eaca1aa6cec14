// The periodic task form in admin (templates/admin/djcelery/change_periodictask_form.html):
// the chosen crontab, in words, under the crontab field. django-celery-beat ships this as an
// inline script; here it is a file so the Content-Security-Policy allows it.
"use strict";
{
  const $ = django.jQuery;
  const originalHelp = document.currentScript.dataset.crontabHelp;
  const readableCrontabs = JSON.parse(document.getElementById("readable-crontabs").textContent);

  const showTranslation = (words) => {
    const help = $(".field-crontab .help");
    help.text(originalHelp);
    help.append("<br>", document.createTextNode(`Translation: ${words}`));
  };

  $(".field-crontab_translation").hide();
  $(".field-crontab").on("change", () => {
    showTranslation(readableCrontabs[$("#id_crontab").val()]);
  });
}
