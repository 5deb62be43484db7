#!/usr/bin/env python3
"""Derive an SDEverywhere-translatable copy of Sterman's beer game.

Usage: beer_for_sde.py RealBeer4-Sterman13.mdl OUT.mdl

SDE 0.7.28 expands no Vensim :MACRO: and has no RANDOM NORMAL. With the
model's own parameters (Noise SD = 0, Order Step Size SD = 0) these edits
leave every value unchanged (run.sh checks SDE's values against libsim's run
of the original file):
  - the three macro definitions are removed (PEAK is never called);
  - ROUND(x, i) is written out as its macro body,
    IF THEN ELSE(i = 0, x, i*INTEGER((x)/i+0.5));
  - Order Noise[Games] = PINK NOISE(Noise Mean, Noise SD, ...) becomes the
    macro's stock with its white-noise term (RANDOM NORMAL * Noise SD = 0)
    dropped: INTEG((Noise Mean-Order Noise[Games])/Noise Correlation Time, Noise Mean);
  - Order Step Size SD*RANDOM NORMAL(-6,6,1,1,Order Step Seed) becomes
    Order Step Size SD*1 (the distribution's mean; multiplied by 0 either way).
"""
import re
import sys


def zero_constant(src, name):
    m = re.search(r"^" + re.escape(name) + r"\s*=\s*([^~]*?)\s*~", src, re.M)
    return m is not None and float(m.group(1)) == 0.0


def expand_round(s):
    out, i = [], 0
    while True:
        j = s.find("ROUND(", i)
        if j < 0:
            out.append(s[i:])
            return "".join(out)
        out.append(s[i:j])
        k, depth, br, args, start = j + 6, 1, 0, [], j + 6
        while depth:
            c = s[k]
            if c == "(":
                depth += 1
            elif c == "[":
                br += 1
            elif c == "]":
                br -= 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    args.append(s[start:k])
            elif c == "," and depth == 1 and br == 0:
                args.append(s[start:k])
                start = k + 1
            k += 1
        x, iv = args
        out.append(f"IF THEN ELSE({iv} = 0, {x}, {iv}*INTEGER(({x})/{iv}+0.5))")
        i = k


def main():
    src = open(sys.argv[1], encoding="utf-8").read()
    for c in ("Noise SD", "Order Step Size SD"):
        if not zero_constant(src, c):
            sys.exit(f"beer_for_sde.py: {c} is not 0: the edits would change the model")
    s = re.sub(r":MACRO:.*?:END OF MACRO:\n", "", src, flags=re.S)
    s = expand_round(s)
    s, n1 = re.subn(r"Order Noise\[Games\]=\s*PINK NOISE\(.*?\)\n",
                    "Order Noise[Games]= INTEG((Noise Mean-Order Noise[Games])/Noise Correlation Time, Noise Mean)\n",
                    s, flags=re.S)
    s, n2 = re.subn(r"Order Step Size SD\*RANDOM NORMAL\(-6,6,1,1,Order Step Seed\)", "Order Step Size SD*1", s)
    if n1 != 1 or n2 != 1 or "ROUND(" in s or "RANDOM" in s.split("\\\\\\---///")[0]:
        sys.exit(f"beer_for_sde.py: unexpected model text (PINK NOISE edits {n1}, RANDOM NORMAL edits {n2})")
    open(sys.argv[2], "w", encoding="utf-8").write(s)


if __name__ == "__main__":
    main()
