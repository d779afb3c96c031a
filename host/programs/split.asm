; Split a field element into 32-bit halves through the `split` prophet: out (hi, lo) with
; x = hi * 2^32 + lo for x = calldata[0], taken canonical (< p).
main:
    cdload r1, 0
    prophet split r2, r3, r1        ; claimed (hi, lo)
    range r2
    range r3
    mul r4, r2, 0x100000000
    add r4, r4, r3
    assert r4, r1                   ; hi * 2^32 + lo = x in the field
    ; hi * 2^32 + lo < 2^64 may still equal x + p as integers (when x < 2^32 - 1); canonical
    ; halves have lo = 0 whenever hi = 2^32 - 1, which rules that out.
    eq r5, r2, 0xffffffff
    mul r5, r5, r3
    assert r5, 0
    out r2
    out r3
    end
