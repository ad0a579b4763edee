from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from resourcecentre.lib.languages import language_name

from .models import Frequency


def language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in settings.CONTENT_LANGUAGES]


class FollowForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Frequency.choices, initial=Frequency.DAILY, required=False
    )
    language = forms.ChoiceField(
        label=_("Language of the e-mails"),
        choices=language_choices,
        help_text=_("News items are given in this language where a translation exists."),
    )

    def clean_frequency(self) -> str:
        return self.cleaned_data.get("frequency") or Frequency.DAILY


class FrequencyForm(forms.Form):
    alert = forms.IntegerField(min_value=1)
    frequency = forms.ChoiceField(choices=Frequency.choices)


class AlertForm(forms.Form):
    alert = forms.IntegerField(min_value=1)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the e-mails"), choices=language_choices)
