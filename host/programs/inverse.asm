; Field inverse through the `inv` prophet: out 1/x for x = calldata[0] (x != 0).
main:
    cdload r1, 0
    prophet inv r2, r1      ; claimed x^-1
    mul r3, r1, r2
    assert r3, 1            ; x * x^-1 = 1 (x = 0 has no answer)
    out r2
    end
