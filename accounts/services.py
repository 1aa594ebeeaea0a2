"""Writes for organizations, accounts and API keys."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from .models import Organization, OrganizationAPIKey, Platform, SocialAccount
from .platforms import platform_spec


def validate_credentials(platform: str, credentials: dict) -> None:
    if not isinstance(credentials, dict):
        raise ValidationError("credentials must be a JSON object")
    if not credentials:
        return  # export-file-only accounts need none
    missing = [key for key in platform_spec(platform).credential_keys if not credentials.get(key)]
    if missing:
        raise ValidationError(f"{platform} credentials are missing: {', '.join(missing)}")


def organization_create(*, slug: str, name: str) -> Organization:
    if slug != slugify(slug):
        raise ValidationError(f"invalid slug {slug!r}: use lowercase letters, digits and hyphens")
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError(f"organization {slug!r} already exists")
    return Organization.objects.create(slug=slug, name=name)


def account_create(
    *, organization: Organization, platform: str, external_id: str, name: str, credentials: dict | None = None
) -> SocialAccount:
    if platform not in Platform.values:
        raise ValidationError(f"unknown platform {platform!r}; choose one of {', '.join(Platform.values)}")
    credentials = credentials or {}
    validate_credentials(platform, credentials)
    try:
        with transaction.atomic():
            return SocialAccount.objects.create(
                organization=organization, platform=platform, external_id=external_id,
                name=name, credentials=credentials,
            )
    except IntegrityError:
        raise ValidationError(
            f"{platform} account {external_id!r} already exists in {organization.slug}"
        ) from None


def account_credentials_update(*, account: SocialAccount, credentials: dict) -> None:
    """Stores refreshed tokens atomically (Bilibili refresh tokens are single-use)."""
    merged = {**account.credentials, **credentials}
    SocialAccount.objects.filter(pk=account.pk).update(credentials=merged)
    account.credentials = merged


def api_key_create(*, organization: Organization, name: str) -> tuple[OrganizationAPIKey, str]:
    """Returns the key object and the plain key, which is shown once and never stored."""
    return OrganizationAPIKey.objects.create_key(name=name, organization=organization)


def api_key_revoke(*, api_key: OrganizationAPIKey) -> None:
    """A revoked key stops authenticating at once; the row stays for the record."""
    OrganizationAPIKey.objects.filter(pk=api_key.pk).update(revoked=True)
    api_key.revoked = True


def account_reauthorization_note(*, account: SocialAccount, detail: str, prefix: str) -> None:
    """Notes on an active account that its authorisation runs out soon (it still syncs until then),
    or, with `detail=""`, clears such a note (one starting with `prefix`) once it no longer applies.

    Shown on the data page beside the status.
    """
    current = account.status_detail
    if account.status != "active" or current == detail or (not detail and not current.startswith(prefix)):
        return
    SocialAccount.objects.filter(pk=account.pk, status="active").update(status_detail=detail)
    account.status_detail = detail
