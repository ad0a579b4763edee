"""What the signed private links share (company responses, e-mail alerts): the random nonce a
link is signed over, so that replacing it revokes every link sent before, and the error a link
that cannot be used raises."""

import secrets


class LinkError(Exception):
    """A link that cannot be used; the message says why and what to do."""

    def __init__(self, message: str, status: int = 410) -> None:
        super().__init__(message)
        self.status = status


def new_nonce() -> str:
    return secrets.token_urlsafe(32)
