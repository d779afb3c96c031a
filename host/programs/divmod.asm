; u32 division with remainder through the `divmod` prophet: out (a / b, a % b) for
; a = calldata[0], b = calldata[1]. The check lives in a subroutine called through the stack.
main:
    cdload r1, 0            ; a
    cdload r2, 1            ; b
    call udiv, 2            ; frame of 2 words: saved fp and return address
    out r3
    out r4
    end

; udiv: r1 = a, r2 = b -> r3 = a / b, r4 = a % b. Clobbers r5.
udiv:
    range r1
    range r2
    prophet divmod r3, r4, r1, r2
    range r3                ; q < 2^32
    lt r5, r4, r2           ; r < b (so b = 0 has no answer)
    assert r5, 1
    mul r5, r3, r2          ; q*b + r <= (2^32-1)^2 + 2^32-2 = p - 2: equality in the field
    add r5, r5, r4          ; is equality of integers
    assert r5, r1           ; a = q*b + r
    ret
