; u32 integer square root through the `sqrt` prophet: out s = floor(sqrt(x)), x = calldata[0].
; The prophet's answer is only a claim; the checks below accept exactly one s.
main:
    cdload r1, 0            ; x
    range r1                ; x < 2^32
    prophet sqrt r2, r1     ; claimed s
    lt r3, r2, 0x10000      ; s < 2^16 (lt also rejects s >= 2^32), so s^2 < 2^32: no wrap-around
    assert r3, 1
    mul r3, r2, r2          ; s^2
    gte r4, r1, r3          ; s^2 <= x
    assert r4, 1
    sub r5, r1, r3          ; x - s^2, a u32 since s^2 <= x
    add r6, r2, r2          ; 2s
    gte r4, r6, r5          ; x - s^2 <= 2s, i.e. x < (s + 1)^2
    assert r4, 1
    out r2
    end
