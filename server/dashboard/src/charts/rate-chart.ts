/**
 * Events over time, one bar per time bucket stacked by severity (d3). The wheel or a drag zooms and pans the time axis;
 * the keyboard does too (+, −, ←, →, 0 to reset) once the chart has focus.
 */
import * as d3 from 'd3';
import { severityColors } from './colors.js';

export interface RatePoint {
  time: number;
  severity: string;
  count: number;
}

const margin = { top: 12, right: 16, bottom: 28, left: 52 };

/** Where the reader has zoomed to, kept across redraws (the live view redraws every few seconds). */
export interface ZoomState {
  transform?: d3.ZoomTransform;
}

export function rateChart(points: readonly RatePoint[], grainMilliseconds: number, range: [number, number], zoomState: ZoomState = {}, options: { width?: number; height?: number } = {}): SVGSVGElement {
  const width = options.width ?? 900;
  const height = options.height ?? 260;
  const severityOrder = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
  const present = severityOrder.filter((severity) => points.some((point) => point.severity === severity));
  const times = [...new Set(points.map((point) => point.time))].sort((a, b) => a - b);
  const table = times.map((time) => {
    const row: Record<string, number> = { time };
    for (const severity of present) row[severity] = 0;
    for (const point of points) if (point.time === time) row[point.severity] = point.count;
    return row;
  });
  const stacked = d3.stack<Record<string, number>>().keys(present)(table);
  // The whole requested range, so a quiet stretch shows as quiet rather than being cropped away.
  const x = d3.scaleUtc().domain(range).range([margin.left, width - margin.right]);
  const maximum = d3.max(stacked, (layer) => d3.max(layer, (point) => point[1])) ?? 1;
  const y = d3.scaleLinear().domain([0, maximum || 1]).nice().range([height - margin.bottom, margin.top]);

  const svg = d3.create('svg').attr('viewBox', `0 0 ${width} ${height}`).attr('class', 'chart rate-chart').attr('role', 'img')
    .attr('tabindex', 0).attr('aria-label', `Events per ${grainMilliseconds / 60_000} minutes by severity; ${d3.sum(points, (point) => point.count)} events`);
  svg.append('defs').append('clipPath').attr('id', 'rate-clip').append('rect')
    .attr('x', margin.left).attr('y', margin.top).attr('width', width - margin.left - margin.right).attr('height', height - margin.top - margin.bottom);
  const layers = svg.append('g').attr('clip-path', 'url(#rate-clip)').selectAll('g').data(stacked).join('g')
    .attr('class', (layer) => `layer layer-${layer.key}`).attr('fill', (layer) => severityColors[layer.key] ?? '#888');
  const bars = layers.selectAll('rect').data((layer) => layer.map((point) => ({ point, severity: layer.key }))).join('rect')
    .attr('y', ({ point }) => y(point[1])).attr('height', ({ point }) => Math.max(0, y(point[0]) - y(point[1])));
  bars.append('title').text(({ point, severity }) => `${new Date(point.data['time']!).toISOString().slice(11, 16)} UTC, ${severity}: ${point[1] - point[0]}`);
  const place = (scale: d3.ScaleTime<number, number>) => bars
    .attr('x', ({ point }) => scale(point.data['time']!))
    .attr('width', ({ point }) => Math.max(1, scale(point.data['time']! + grainMilliseconds) - scale(point.data['time']!) - 0.5));
  place(x);
  const xAxis = svg.append('g').attr('class', 'axis').attr('transform', `translate(0,${height - margin.bottom})`).call(d3.axisBottom(x).ticks(8));
  svg.append('g').attr('class', 'axis').attr('transform', `translate(${margin.left},0)`).call(d3.axisLeft(y).ticks(5, 's'));
  const legend = svg.append('g').attr('class', 'legend').attr('transform', `translate(${margin.left + 8},${margin.top + 4})`);
  present.slice().reverse().forEach((severity, index) => {
    const item = legend.append('g').attr('transform', `translate(${index * 70},0)`);
    item.append('rect').attr('width', 10).attr('height', 10).attr('fill', severityColors[severity] ?? '#888');
    item.append('text').attr('x', 14).attr('y', 9).text(severity);
  });

  const zoom = d3.zoom<SVGSVGElement, undefined>().scaleExtent([1, 64])
    .translateExtent([[margin.left, 0], [width - margin.right, height]]).extent([[margin.left, 0], [width - margin.right, height]])
    .on('zoom', (event: d3.D3ZoomEvent<SVGSVGElement, undefined>) => {
      zoomState.transform = event.transform;
      const zoomed = event.transform.rescaleX(x);
      place(zoomed);
      xAxis.call(d3.axisBottom(zoomed).ticks(8));
    });
  svg.call(zoom);
  if (zoomState.transform !== undefined) zoom.transform(svg, zoomState.transform);
  svg.on('keydown', (event: KeyboardEvent) => {
    if (event.key === '+' || event.key === '=') zoom.scaleBy(svg, 1.5);
    else if (event.key === '-') zoom.scaleBy(svg, 1 / 1.5);
    else if (event.key === 'ArrowLeft') zoom.translateBy(svg, 40, 0);
    else if (event.key === 'ArrowRight') zoom.translateBy(svg, -40, 0);
    else if (event.key === '0') zoom.transform(svg, d3.zoomIdentity);
    else return;
    event.preventDefault();
  });
  return svg.node()!;
}
