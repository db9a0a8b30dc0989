from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.shop_front, name="shop_front"),
    path("products/<slug:slug>/", views.product_detail, name="product"),
]
