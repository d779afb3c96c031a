; Constant-product AMM. Storage: key 0 = reserve X, key 1 = reserve Y; a trader's balances at
; 2 + 2*sender (X) and 3 + 2*sender (Y). Calldata (the chain prefixes the sender):
; [sender, direction, amount_in]; direction 0 sells X for Y, 1 sells Y for X.
; Pays out q = floor(r_out * amount_in / (r_in + amount_in)), computed by the divmod prophet and
; checked. Fails, writing nothing, when the trader's balance is short or a value leaves 32 bits.
    cdload r1, 0            ; sender
    cdload r2, 1            ; direction
    cdload r3, 2            ; amount_in
    range r3
    mul r4, r1, 2
    add r4, r4, 2           ; r4: key of the trader's input balance
    mov r5, 0               ; r5: key of the input reserve
    mov r6, 1               ; r6: key of the output reserve
    cjmp r2, sell_y         ; the keys touched depend on the calldata
    jmp swap
sell_y:
    add r4, r4, 1
    mov r5, 1
    mov r6, 0
swap:
    sload r7, r4
    gte r8, r7, r3
    assert r8, 1            ; the trader can pay
    sub r7, r7, r3
    sstore r4, r7
    sload r7, r5
    add r7, r7, r3          ; r_in + amount_in
    range r7
    sstore r5, r7
    sload r8, r6            ; r_out
    mul r2, r8, r3          ; r_out * amount_in
    range r2                ; fail rather than wrap
    prophet divmod r0, r4, r2, r7   ; claimed (q, rem)
    range r0
    lt r5, r4, r7           ; rem < r_in + amount_in
    assert r5, 1
    mul r5, r0, r7
    add r5, r5, r4          ; q*d + rem < p: exact
    assert r5, r2
    sub r8, r8, r0          ; q < r_out, so the output reserve stays positive
    sstore r6, r8
    mul r5, r1, 2
    add r5, r5, 2
    add r5, r5, r6          ; key of the trader's output balance
    sload r4, r5
    add r4, r4, r0
    range r4
    sstore r5, r4
    out r0
    end
