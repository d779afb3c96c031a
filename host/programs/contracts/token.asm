; Token: transfer `amount` from the sender to `to`. Storage: key = account, value = balance (u32).
; Calldata (the chain prefixes the sender): [sender, to, amount]. Fails, writing nothing, when the
; sender's balance is short or the recipient's would overflow 2^32.
    cdload r1, 0            ; sender
    cdload r2, 1            ; to
    cdload r3, 2            ; amount
    range r3
    sload r4, r1            ; sender balance
    gte r5, r4, r3
    assert r5, 1            ; enough balance
    sub r4, r4, r3
    sstore r1, r4
    sload r6, r2            ; read after the debit: a self-transfer sees its own write
    add r6, r6, r3
    range r6
    sstore r2, r6
    out r4
    end
