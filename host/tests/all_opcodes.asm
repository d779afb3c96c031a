
    cdload r1, 0
    cdload r2, 1
    add r3, r1, r2
    sub r3, r3, 1
    mul r3, r3, r2
    mov r4, r3
    eq r5, r4, r3
    neq r5, r4, 7
    lt r5, r1, r2
    gte r5, r1, r2
    and r6, r1, 0xff
    or r6, r6, r2
    xor r6, r6, r1
    not r7, r6
    range r7
    assert r4, r3
    mstore [fp + 0], r6
    mload r8, [fp]
    mstore [100], r8
    mload r8, [100]
    sstore r1, r8
    sload r0, r1
    sload r0, 12345
    prophet divmod r2, r3, r1, r2
    prophet sqrt r4, r1
    call f, 3
    out r6
    eq r5, r1, 0
    cjmp r5, skip
    out r0
skip:
    end
f:
    mov r6, 99
    mstore [fp], r6
    ret
