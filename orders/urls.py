from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.shop_front, name="shop_front"),
    path("products/<slug:slug>/", views.product_detail, name="product"),
    path("products/<slug:slug>/add/", views.cart_add, name="cart_add"),
    path("basket/", views.cart, name="cart"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:order_id>/", views.order_detail, name="order"),
]
