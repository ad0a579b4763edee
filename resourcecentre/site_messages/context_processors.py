from .queries import visible_site_message


def site_message(request) -> dict:
    return {"site_message": visible_site_message(request)}
