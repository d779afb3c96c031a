; Fibonacci in the Goldilocks field: out fib(n) for n = calldata[0].
main:
    cdload r1, 0            ; n
    mov r2, 0               ; a = fib(0)
    mov r3, 1               ; b = fib(1)
    eq r4, r1, 0
    cjmp r4, done
loop:
    add r5, r2, r3          ; (a, b) <- (b, a + b)
    mov r2, r3
    mov r3, r5
    sub r1, r1, 1
    neq r4, r1, 0
    cjmp r4, loop
done:
    out r2
    end
