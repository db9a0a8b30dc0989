"""Account views, one module per flow or page family; accounts/urls.py names them."""
