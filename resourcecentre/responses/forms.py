from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MAX_BODY_CHARS = 100_000
PDF_MAGIC = b"%PDF-"


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading an uploaded file at the size limit, keeping the rest of the form.

    The file is skipped rather than the request refused, so that a company that attached too
    big a file gets its text back with the error, not an empty page.
    """

    def __init__(self, request=None, limit: int = 0) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_large: list[str] = []

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large.append(self.file_name)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None


def pdf_problem(upload) -> str | None:
    """Why `upload` is not an acceptable PDF, or None when it is."""
    limit = settings.RESPONSE_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        return _("The file is larger than %(limit)s. Attach a smaller PDF.") % {
            "limit": filesizeformat(limit)
        }
    if upload.size == 0:
        return _("The file is empty.")
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(max(0, upload.size - 2048))
    tail = upload.read()
    upload.seek(0)
    if not head.startswith(PDF_MAGIC):
        return _("The file is not a PDF, whatever its name says. Attach a PDF document.")
    if b"%%EOF" not in tail:
        return _("The PDF looks incomplete or damaged. Save it again and attach the new copy.")
    return None


class ResponseForm(forms.Form):
    body = forms.CharField(
        label=_("Your response"),
        required=False,
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Leave a blank line between paragraphs."),
    )
    attachment = forms.FileField(
        label=_("Attach a PDF (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    action = forms.ChoiceField(
        choices=[("save", "save"), ("submit", "submit"), ("decline", "decline")], widget=forms.HiddenInput
    )

    def __init__(self, *args, too_large: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = list(too_large)

    def clean_body(self) -> str:
        return self.cleaned_data["body"].replace("\x00", "")

    def clean_attachment(self):
        if self.too_large:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s. Attach a smaller PDF.")
                % {"limit": filesizeformat(settings.RESPONSE_ATTACHMENT_MAX_BYTES)}
            )
        upload = self.cleaned_data.get("attachment")
        if upload:
            problem = pdf_problem(upload)
            if problem:
                raise forms.ValidationError(problem)
        return upload

    def clean(self):
        data = super().clean()
        if data.get("action") == "submit" and not (data.get("body") or "").strip():
            self.add_error("body", _("Write your response before submitting it, or save it as a draft."))
        return data
