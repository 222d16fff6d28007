/** A small trend line (d3): values in time order, no axes. */
import * as d3 from 'd3';

export function sparkline(values: readonly number[], label: string, width = 120, height = 24): SVGSVGElement {
  const x = d3.scaleLinear().domain([0, Math.max(1, values.length - 1)]).range([1, width - 1]);
  const y = d3.scaleLinear().domain([0, d3.max(values) || 1]).range([height - 2, 2]);
  const svg = d3.create('svg').attr('viewBox', `0 0 ${width} ${height}`).attr('width', width).attr('height', height)
    .attr('class', 'sparkline').attr('role', 'img').attr('aria-label', label);
  svg.append('path').attr('d', d3.line<number>().x((_, index) => x(index)).y((value) => y(value))(values as number[]) ?? '');
  return svg.node()!;
}
