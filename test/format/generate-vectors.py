#!/usr/bin/env python3
"""Generates test/format/vectors.json: CPython's own answers to `template % args`.

Run with: python3 test/format/generate-vectors.py  (CPython 3.11 made the committed file)

Encoding for JavaScript: a tuple is a JSON array, a mapping {"$mapping": {...}}, a float
{"$float": repr(x)}, an int beyond 2**53 {"$bigint": "digits"}. JavaScript cannot tell 5 from 5.0,
so integral floats are left out of the conversions where Python's answer depends on it
(%s %r %a print '5.0'; %o %x %X %c refuse floats).
"""
import itertools
import json
import math
import sys

def encode(value):
    if isinstance(value, bool):
        raise ValueError('booleans are not encoded')
    if isinstance(value, int):
        return value if abs(value) <= 2**53 else {'$bigint': str(value)}
    if isinstance(value, float):
        return {'$float': repr(value)}
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {'$mapping': {key: encode(item) for key, item in value.items()}}
    raise ValueError(type(value))

vectors = []

def case(template, args):
    try:
        expected = {'text': template % args}
    except Exception as error:  # noqa: BLE001 — every Python error is an expected outcome
        expected = {'error': f'{type(error).__name__}: {error}'}
    vectors.append({'template': template, 'args': encode(args if isinstance(args, (tuple, dict)) else (args,)), **expected})

def integral_float(value):
    return isinstance(value, float) and math.isfinite(value) and value == int(value)

INTS = [0, 1, -1, 7, 42, -255, 1000, 2**31, -2**53, 10**20, -(10**30), 123456789]
FLOATS = [0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, -3.14159, 1e-05, 0.00012345, 123456.789, 9.5, 9.9999,
          0.05, 0.1, 2 / 3, 1e16, 1e22, 1.5e300, 5e-324, 2.2250738585072014e-308, float('inf'), float('-inf'),
          float('nan'), 1234.5, 0.000995, 99.995, 1e100, 3.0, -7.0]
STRINGS = ['', 'x', 'hello', "it's", '"quoted"', 'both \' and "', 'é', 'naïve café', '😀', 'a\nb\tc\r',
           '\x00\x07\x7f', '\u2028', '\u00a0nbsp', 'back\\slash', '中文', '\U0001F600x\U0010FFFF', 'ÿ\u0100']

CONVERSIONS = {
    'd': INTS + FLOATS, 'i': INTS, 'u': INTS + [3.99, -3.99], 'o': INTS, 'x': INTS, 'X': INTS,
    'e': FLOATS + INTS, 'E': FLOATS, 'f': FLOATS + INTS, 'F': FLOATS, 'g': FLOATS + INTS, 'G': FLOATS,
    'c': [65, 0x1F600, 0x10FFFF, 0x110000, -1, 'x', 'xy', '😀', 'é', 0],
    's': STRINGS + INTS + FLOATS, 'r': STRINGS + INTS + FLOATS, 'a': STRINGS + INTS + FLOATS,
}
FLAGS = ['', '-', '+', ' ', '#', '0', '-0', '+0', ' 0', '#0', '+#', '- +#0']
WIDTHS = ['', '1', '6', '13', '*']
PRECISIONS = ['', '.0', '.1', '.3', '.12', '.*']
STAR_WIDTHS = [9, -9, 0]
STAR_PRECISIONS = [2, 0, 5]

# The flag × width × precision cross product for every conversion, cycling through its values.
for conversion, values in CONVERSIONS.items():
    usable = [v for v in values if not (integral_float(v) and conversion in 'sraoxXc')]
    cycle = itertools.cycle(usable)
    for index, (flags, width, precision) in enumerate(itertools.product(FLAGS, WIDTHS, PRECISIONS)):
        for _ in range(2):
            value = next(cycle)
            template = f'%{flags}{width}{precision}{conversion}'
            args = []
            if width == '*':
                args.append(STAR_WIDTHS[index % len(STAR_WIDTHS)])
            if precision == '.*':
                args.append(STAR_PRECISIONS[index % len(STAR_PRECISIONS)])
            args.append(value)
            case(f'<{template}>', tuple(args))

# Every value through its conversions once more with the plain specifier, and with text around it.
for conversion, values in CONVERSIONS.items():
    for value in values:
        if integral_float(value) and conversion in 'sraoxXc':
            continue
        case(f'value=%{conversion}; done', (value,))

# Precision sweeps over tricky floats (half-way cases, carries, tiny and huge values).
for value in [0.125, 0.375, 2.675, 1.005, 9.995, 0.5, 1.5, 2.5, 1e-7, 123.456, 999.9999, 5e-324, 1.7976931348623157e308]:
    for precision in range(0, 18):
        for conversion in 'efg':
            case(f'%.{precision}{conversion}', (value,))
case('%.60f', (0.1,))
case('%.30e', (5e-324,))
case('%f', (1e300,))

# Mapping keys.
case('%(name)s paid %(amount).2f', {'name': 'ann', 'amount': 12.345})
case('%(a)05d|%(a)-5d|%(a)x', {'a': 42})
case('%(a(b))s', {'a(b)': 'nested'})
case('%(missing)s', {'present': 1})
case('%(a)s %s', {'a': 1})
case('%s %s', {'a': 1})
case('%5%', (1,))
case('%*%', (3,))
case('%z', ())
case('no specifiers', {'a': 1})
case('%(a)s', ('not a mapping',))
case('%(a', {'a': 1})
case('%()s', {'': 'empty key'})

# Malformed templates and wrong argument counts.
for template, args in [
    ('%', ()), ('abc%', ()), ('%z', (1,)), ('%5', (1,)), ('%.', (1,)), ('%-', (1,)), ('%%', ()), ('%5%', ()),
    ('%-5%|', ()), ('100%% sure %s', ('yes',)), ('%s %s', ('one',)), ('%s', ('one', 'two')), ('plain', ('extra',)),
    ('%s', ()), ('%d', ('text',)), ('%x', (1.5,)), ('%f', ('text',)), ('%c', ('',)), ('%*d', ('w', 1)),
    ('%.*f', ('p', 1.0)), ('%ld %hd %Lf %lld', (1, 2, 3.5, 4)), ('%d', (float('nan'),)), ('%d', (float('inf'),)),
    ('%i', (-0.0,)), ('%f', (10**400,)), ('%s and %r', ('a', 'b')), ('%y %s', (1, 2)), ('%(x)s %(y)s', {'x': 1}),
    ('trailing %', (1,)), ('%s%', ('a',)), ('%#o %#x %#X', (8, 255, 255)), ('%+d % d %+ d', (5, 5, 5)),
    ('%05s|%-05d|%05c', ('ab', 3, 'z')), ('%.3s|%.0s|%10.2s|', ('abcdef', 'abc', 'xyz')),
    ('%.2s', ('😀😁😂',)), ('%5s|', ('😀',)), ('%-3c|', (0x1F600,)), ('%.3r', ('abcdef',)),
]:
    case(template, args)

json.dump({'python': sys.version.split()[0], 'vectors': vectors}, open(sys.argv[1] if len(sys.argv) > 1 else 'test/format/vectors.json', 'w'), ensure_ascii=True, indent=0)
print(len(vectors), 'vectors')
