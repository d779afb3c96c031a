; Goldilocks exponentiation by square-and-multiply: out x^e for x = calldata[0], e = calldata[1]
; (e < 2^32). The exponent's bits come from the `divmod` prophet, each checked: e = 2q + bit.
main:
    cdload r1, 0            ; x
    cdload r2, 1            ; e
    range r2
    mov r3, 1               ; acc
    mov r6, 2
loop:
    eq r4, r2, 0
    cjmp r4, done
    prophet divmod r4, r5, r2, r6   ; claimed (q, bit) = (e / 2, e % 2)
    range r4                ; q < 2^32, so 2q + bit < p: the check below is exact
    lt r7, r5, 2            ; bit in {0, 1}
    assert r7, 1
    mul r7, r4, 2
    add r7, r7, r5
    assert r7, r2           ; e = 2q + bit
    mul r7, r3, r1          ; acc <- bit ? acc * x : acc, without a branch
    sub r7, r7, r3
    mul r7, r7, r5
    add r3, r3, r7
    mul r1, r1, r1          ; x <- x^2
    mov r2, r4              ; e <- q
    jmp loop
done:
    out r3
    end
