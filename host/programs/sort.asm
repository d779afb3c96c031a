; Sorting through the `argsort` prophet. Input: calldata = [n, x_0, ..., x_{n-1}], u32 values.
; Output (`out`): the values in non-decreasing order.
; The prophet names, for each output position i, the input index j it takes; the program checks
; that every j is new (a visited table in memory), so the j's form a permutation, and that the
; output is non-decreasing.
    mov r8, 0x1000          ; A: length-prefixed input array, mem[A] = n, x_i at A + 1 + i
    mov r7, 0x100000        ; V: visited flags, V + j
    cdload r1, 0            ; n
    mstore [r8], r1
    call load, 2
    mov r2, 0               ; i
    mov r6, 0               ; previous output (0 is below every u32)
next:
    eq r3, r2, r1
    cjmp r3, done
    prophet argsort r3, r8, r2      ; claimed j
    lt r4, r3, r1           ; j < n
    assert r4, 1
    add r4, r7, r3
    mload r5, [r4]
    assert r5, 0            ; j not taken yet
    mov r5, 1
    mstore [r4], r5
    add r4, r8, r3
    mload r5, [r4 + 1]      ; x_j
    gte r4, r5, r6          ; x_j >= previous
    assert r4, 1
    out r5
    mov r6, r5
    add r2, r2, 1
    jmp next
done:
    end

; load: copies calldata[1..=n] to A + 1.. and clears V[0..n). Uses r1 = n, r7, r8; clobbers r2..r5.
load:
    mov r2, 0
    mov r5, 0
load_loop:
    eq r3, r2, r1
    cjmp r3, load_done
    add r3, r2, 1
    cdload r4, r3
    range r4                ; inputs are u32
    add r3, r8, r2
    mstore [r3 + 1], r4
    add r3, r7, r2
    mstore [r3], r5
    add r2, r2, 1
    jmp load_loop
load_done:
    ret
