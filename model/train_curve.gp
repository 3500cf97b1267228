# Training curve of `make train`: held-out perplexity per byte and training loss
# (as perplexity) against the optimizer step. Usage: gnuplot -e "in='curve.txt'; out='x.png'"
set terminal pngcairo size 800,480
set output out
set title "tern train: byte-level BitNet b1.58 on the KJV (ternary weights, int8 activations)"
set xlabel "optimizer step (8 x 128 bytes each)"
set ylabel "perplexity per byte"
set logscale y
set grid
set key top right
plot in using 1:(exp($2)) with linespoints title "training batch", \
     in using 1:3 with linespoints title "held-out (32 windows)", \
     8 with lines dashtype 2 title "target 8"
