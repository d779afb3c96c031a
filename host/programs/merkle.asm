; Merkle membership with the `poseidon` instruction: recomputes the root of a binary Merkle tree
; of 4-word leaves from a leaf and its path, and outputs it. A contract would compare the root
; with one it stores (say, an allow-list). Calldata: [depth, leaf0..3, then per level from the
; leaf up: (bit, sibling0..3)], bit 1 meaning the current node is the right child.
; The root equals plonky2's MerkleTree root (leaves of 4 words are their own digest; a node is
; `two_to_one(left, right)`, which is what `poseidon` computes from r0..r7).
    cdload r8, 0            ; depth
    cdload r0, 1            ; current node = the leaf
    cdload r1, 2
    cdload r2, 3
    cdload r3, 4
    mov r9, 5               ; calldata index of the next level (r9 is fp; no calls here)
level:
    eq r4, r8, 0
    cjmp r4, done
    cdload r4, r9           ; bit
    add r9, r9, 1
    cjmp r4, right
    ; current is the left child: r0..r3 stay, sibling into r4..r7
    cdload r4, r9
    add r9, r9, 1
    cdload r5, r9
    add r9, r9, 1
    cdload r6, r9
    add r9, r9, 1
    cdload r7, r9
    add r9, r9, 1
    jmp hash
right:
    ; current is the right child: move it to r4..r7, sibling into r0..r3
    mov r4, r0
    mov r5, r1
    mov r6, r2
    mov r7, r3
    cdload r0, r9
    add r9, r9, 1
    cdload r1, r9
    add r9, r9, 1
    cdload r2, r9
    add r9, r9, 1
    cdload r3, r9
    add r9, r9, 1
hash:
    poseidon                ; r0..r3 <- two_to_one(r0..r3, r4..r7)
    sub r8, r8, 1
    jmp level
done:
    out r0
    out r1
    out r2
    out r3
    end
