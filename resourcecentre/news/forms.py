"""The admin form of stories and components: the original and its translations, side by side."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from resourcecentre.lib.languages import language_name, same_language


class TranslatedItemForm(WagtailAdminModelForm):
    """Refuses a translation into the item's own language: the original already is that version.

    Checked here rather than on the translation model because the new translation rows are not
    linked to the item until it is saved, and the item's language may change in the same post.
    """

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return self._translations_differ_from_original() and valid

    def _translations_differ_from_original(self) -> bool:
        original = self.cleaned_data.get("language") if hasattr(self, "cleaned_data") else None
        formset = self.formsets.get("translations")
        if not original or formset is None:
            return True
        differ = True
        for form in formset.forms:
            cleaned = getattr(form, "cleaned_data", {})
            language = cleaned.get("language")
            if not language or cleaned.get("DELETE"):
                continue
            if same_language(language, original):
                form.add_error(
                    "language",
                    _("The original is in %(language)s: a translation must be in another language.")
                    % {"language": language_name(original)},
                )
                differ = False
        return differ
