"""The account pages: Login & security, activity, trusted devices, addresses and payment cards."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.changes import (
    address_delete,
    address_make_default,
    address_save,
    card_add,
    card_remove,
)
from accounts.forms import (
    AddressForm,
    CardForm,
)
from accounts.models import Address, PaymentCard
from accounts.sessions import sessions_end_everywhere_else
from security.alerts import not_me_token
from security.events import COULD_BE_AN_INTRUDER, recent_events
from security.methods import two_step_summary
from security.models import SecurityEvent
from security.passkeys import passkeys_for
from security.phones import phone_story
from security.recovery import (
    recovery_open,
)
from security.redirects import safe_next_path
from security.step_up import step_up_required
from security.trusted_devices import trusted_device_current, trusted_devices_for, trusted_devices_revoke
from security.vocabulary import StepUpAction


@login_required
@step_up_required(StepUpAction.TRUSTED_DEVICES)
@require_POST
def trusted_devices_remove(request: HttpRequest) -> HttpResponse:
    device_id = request.POST.get("device")
    if device_id and not device_id.isdigit():
        raise Http404  # not "remove all"
    count = trusted_devices_revoke(
        user=request.user,
        request=request,
        device_id=int(device_id) if device_id and device_id.isdigit() else None,
        end_sessions=True,
    )
    if device_id and not count:
        raise Http404
    messages.success(
        request,
        _("Removed. That browser is signed out and will be asked for a code next time.")
        if device_id
        else _("Removed. Those browsers are signed out and will be asked for a code next time."),
    )
    return redirect("accounts:security")


@login_required
@never_cache
def activity(request: HttpRequest) -> HttpResponse:
    """Everything that happened to the account, newest first, a page at a time."""
    page = Paginator(SecurityEvent.objects.filter(user=request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/activity.html",
        {
            "page": page,
            "intruder_kinds": COULD_BE_AN_INTRUDER,
            "not_me_token": not_me_token(request.user),
        },
    )


@login_required
@step_up_required(StepUpAction.ADDRESSES)
@never_cache
def addresses(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/addresses.html", {"addresses": request.user.addresses.all()})


@login_required
@step_up_required(StepUpAction.ADDRESSES)
@never_cache
@require_http_methods(["GET", "POST"])
def address_edit(request: HttpRequest, address_id: int | None = None) -> HttpResponse:
    address = get_object_or_404(Address, pk=address_id, user=request.user) if address_id else None
    form = AddressForm(request.POST if request.method == "POST" else None, instance=address)
    if request.method == "POST" and form.is_valid():
        address_save(user=request.user, form=form, request=request)
        messages.success(request, _("Address saved."))
        return redirect(safe_next_path(request, default=reverse("accounts:addresses")))
    return render(
        request, "accounts/address_form.html", {"form": form, "address": address, "next": safe_next_path(request, "")}
    )


@login_required
@step_up_required(StepUpAction.ADDRESSES)
@require_POST
def address_delete_view(request: HttpRequest, address_id: int) -> HttpResponse:
    address_delete(address=get_object_or_404(Address, pk=address_id, user=request.user), request=request)
    messages.success(request, _("Address removed."))
    return redirect("accounts:addresses")


@login_required
@step_up_required(StepUpAction.ADDRESSES)
@require_POST
def address_default(request: HttpRequest, address_id: int) -> HttpResponse:
    address_make_default(address=get_object_or_404(Address, pk=address_id, user=request.user), request=request)
    return redirect("accounts:addresses")


@login_required
@step_up_required(StepUpAction.PAYMENT_CARDS)
@never_cache
def cards(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/cards.html", {"cards": request.user.payment_cards.all()})


@sensitive_post_parameters("number")
@login_required
@step_up_required(StepUpAction.PAYMENT_CARDS)
@never_cache
@require_http_methods(["GET", "POST"])
def card_new(request: HttpRequest) -> HttpResponse:
    form = CardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        card = card_add(user=request.user, request=request, **form.cleaned_data)
        messages.success(request, _("%(card)s added. No payment is taken in this demonstration shop.") % {"card": card})
        return redirect(safe_next_path(request, default=reverse("accounts:cards")))
    return render(request, "accounts/card_form.html", {"form": form, "next": safe_next_path(request, "")})


@login_required
@step_up_required(StepUpAction.PAYMENT_CARDS)
@require_POST
def card_delete(request: HttpRequest, card_id: int) -> HttpResponse:
    card_remove(card=get_object_or_404(PaymentCard, pk=card_id, user=request.user), request=request)
    messages.success(request, _("Card removed."))
    return redirect("accounts:cards")


@login_required
@step_up_required(StepUpAction.SIGNOUT_EVERYWHERE)
@require_POST
def signout_everywhere(request: HttpRequest) -> HttpResponse:
    sessions_end_everywhere_else(request=request, user=request.user)
    messages.success(request, _("You've been signed out everywhere else, and your trusted devices were removed."))
    return redirect("accounts:security")


@login_required
@never_cache
def security(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/security.html",
        {
            "account": request.user,
            "two_step": two_step_summary(request.user),
            "events": recent_events(request.user, limit=30),
            "trusted_devices": trusted_devices_for(request.user),
            "this_device_id": trusted_device_current(request),
            "recovery": recovery_open(request.user),
            "passkeys": passkeys_for(request.user),
            "phone_story": phone_story(request.user),
        },
    )
