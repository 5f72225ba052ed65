import os, sys
from shop.nowhere import thing


def old(x):
    return x.upper() + 1 + thing
