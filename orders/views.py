import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from orders.cart import cart_clear, cart_lines, cart_set, cart_total
from orders.catalog import categories_with_products, products_on_sale
from orders.checkout import CheckoutError, basket_code_decision, order_place
from orders.forms import AddToCartForm, CartQuantityForm, CheckoutForm
from orders.history import order_for_owner, orders_for_user
from orders.models import Category, Order


def shop_front(request: HttpRequest) -> HttpResponse:
    category = None
    if slug := request.GET.get("category"):
        category = get_object_or_404(Category, slug=slug)
    return render(
        request,
        "orders/shop_front.html",
        {
            "categories": categories_with_products(),
            "category": category,
            "products": products_on_sale(category=category),
        },
    )


def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    product = get_object_or_404(products_on_sale(), slug=slug)
    return render(request, "orders/product.html", {"product": product, "form": AddToCartForm()})


@require_POST
def cart_add(request: HttpRequest, slug: str) -> HttpResponse:
    product = get_object_or_404(products_on_sale(), slug=slug)
    form = AddToCartForm(request.POST)
    quantity = form.cleaned_data["quantity"] if form.is_valid() else 1
    in_cart = cart_set(request.session, product=product, quantity=quantity, add=True)
    messages.success(
        request, _("Added to your basket: %(product)s (%(count)d in all).") % {"product": product, "count": in_cart}
    )
    return redirect("orders:cart")


@require_http_methods(["GET", "POST"])
def cart(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = CartQuantityForm(request.POST)
        if form.is_valid():
            product = get_object_or_404(products_on_sale(), pk=form.cleaned_data["product"])
            cart_set(request.session, product=product, quantity=form.cleaned_data["quantity"])
        else:
            messages.error(request, _("Choose a quantity from 0 to 10."))
        return redirect("orders:cart")
    lines = cart_lines(request.session)
    return render(request, "orders/cart.html", {"lines": lines, "total": cart_total(lines)})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    lines = cart_lines(request.session)
    if request.method == "POST":
        form = CheckoutForm(request.POST, user=request.user)
        if form.is_valid():  # an empty basket is fine here: a second submit of a placed order finds that order
            try:
                order, created = order_place(
                    user=request.user,
                    lines=lines,
                    address=form.cleaned_data["address"],
                    card=form.cleaned_data["card"],
                    checkout_token=form.cleaned_data["checkout_token"],
                )
            except CheckoutError as refusal:
                messages.error(request, str(refusal))
                return redirect("orders:cart")
            if created:  # an old page submitted again finds its order and leaves today's basket alone
                cart_clear(request.session)
                messages.success(request, _("Thank you. Your order is placed."))
            return redirect(order)
    if not lines:
        messages.info(request, _("Your basket is empty."))
        return redirect("orders:cart")
    if request.method == "GET":
        # Names this checkout page: submitting it twice (a double tap, a reload) places one order.
        form = CheckoutForm(user=request.user, initial={"checkout_token": secrets.token_urlsafe(32)})
    chosen = str(form["address"].value() or "")
    address = next((a for a in form.fields["address"].queryset if str(a.pk) == chosen), None)
    total = cart_total(lines)
    decision = basket_code_decision(lines=lines, postcode=address.postcode if address else "")
    return render(
        request,
        "orders/checkout.html",
        {
            "form": form,
            "lines": lines,
            "total": total,
            "decision": decision,
            "return_here": reverse("orders:checkout"),
        },
    )


@login_required
@never_cache
def order_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(orders_for_user(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "orders/order_list.html", {"page": page})


@login_required
@never_cache
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    try:
        order = order_for_owner(user=request.user, order_id=order_id)
    except Order.DoesNotExist as missing:
        raise Http404 from missing
    return render(request, "orders/order_detail.html", {"order": order, "shipment": getattr(order, "shipment", None)})
