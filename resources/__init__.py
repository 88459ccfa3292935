"""The app's resources as the package `cashier_gui.assets` (pyproject.toml maps this folder
there): `importlib.resources` finds them the same way in the tree, in a wheel and in the
PyInstaller bundle (cashier_gui/resources.py). No code lives here."""
