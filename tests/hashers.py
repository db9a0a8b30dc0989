from django.contrib.auth.hashers import MD5PasswordHasher


class CountingMD5PasswordHasher(MD5PasswordHasher):
    """Fast for tests, and counts hash computations, so tests can see an unknown email costs one too."""

    algorithm = "md5"
    hashes_computed = 0

    def encode(self, password, salt):  # verify() computes through encode() as well
        type(self).hashes_computed += 1
        return super().encode(password, salt)
