from django.apps import AppConfig


class DevdataConfig(AppConfig):
    """Demo and benchmark data, never part of the product.

    `seed_demo` (the demo logins and their history), `seed_bench_web` with the bulk seed of
    `make bench-web` (bench_data.py, and the load scripts in bench/), and `bench_recalc`. It
    sits on the top floor: it may import any app, and nothing in the product imports it.
    """

    name = "devdata"
    verbose_name = "Demo and benchmark data"
