; Counter: key 0 counts calls; every even count also bumps key 1, so the write set depends on
; the value read. Calldata (the chain prefixes the sender): [sender].
    sload r1, r0            ; r0 = 0: the counter's key
    add r1, r1, 1
    sstore r0, r1
    and r2, r1, 1
    cjmp r2, done           ; odd: done
    mov r3, 1
    sload r4, r3
    add r4, r4, 1
    sstore r3, r4
done:
    out r1
    end
